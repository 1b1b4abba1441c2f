import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { CollectionFile } from '../../store/document/collection-file.js';
import { fsyncDir } from '../../store/document/durable-json-file.js';
import { assertSerializable } from '../../store/document/serializable.js';
import { ShardedCollection, shardIndex } from '../../store/document/sharded-collection.js';
import {
  inBatches,
  isoTime,
  type PortableRecord,
  type PortableStore,
  PROFILE_COLLECTIONS,
} from '../../store/portable.js';
import { applyOperations, type ProfileProperties } from '../domain/profile-ops.js';
import {
  emptyProfiles,
  keyOfAlias,
  keyOfGrant,
  keyOfInsertId,
  keyOfProfile,
  ProfileShard,
  type ProfilesDocument,
  profileKey,
} from './profile-document-shard.js';
import type { GrantPortableRecord, InsertIdPortableRecord } from './profile-portable-records.js';
import {
  type GrantLimits,
  INSERT_ID_WINDOW_MS,
  type ProfileKind,
  type ProfileStore,
  type ProfileUpdate,
} from './profile-store.js';

const SHARDS = 64;
/** Each kind of record's map in a shard. */
const RECORD_MAPS: readonly ((shard: ProfileShard) => Map<string, unknown>)[] = [
  (s) => s.profiles,
  (s) => s.aliases,
  (s) => s.insertIds,
  (s) => s.grants,
];
/** The one document every record lived in before the store was sharded: taken over on open. */
const SINGLE_DOCUMENT = 'banner-profiles';

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/**
 * ProfileStore in 64 shard files (`banner-profiles-00.json`...; lowdb documents), or in
 * memory. A record lives in the shard its key hashes to, so a write rewrites the shards
 * it touched, not every profile and insert id. Every check-and-write runs synchronously
 * before its commit is awaited, so concurrent calls cannot interleave.
 */
export class ProfileDocumentStore implements ProfileStore, PortableStore {
  readonly collections = PROFILE_COLLECTIONS;

  private constructor(private readonly shards: readonly ProfileShard[]) {}

  static async open(dir: string | null): Promise<ProfileDocumentStore> {
    const files = await ShardedCollection.open<ProfilesDocument>(dir, SINGLE_DOCUMENT, SHARDS, emptyProfiles);
    const store = new ProfileDocumentStore(files.shards.map((f) => new ProfileShard(f)));
    await store.rehome();
    if (dir !== null) await store.takeOverSingleDocument(dir);
    return store;
  }

  /**
   * Moves every record found in a shard its key does not pick (written with another
   * shard count) to the one it picks, and writes both: lookups go by key alone.
   */
  private async rehome(): Promise<void> {
    const touched = new Set<ProfileShard>();
    for (const shard of this.shards) {
      for (const pick of RECORD_MAPS) {
        for (const [k, record] of pick(shard)) {
          if (this.shardOf(k) === shard) continue;
          pick(shard).delete(k);
          touched.add(shard).add(this.put(pick, k, record));
        }
      }
    }
    await this.commit(touched);
  }

  /**
   * Earlier versions kept every record in one document, `banner-profiles.json`: its records
   * go to their shards, and the file is removed once they are on disk (a crash in between
   * takes it over again: the same records).
   */
  private async takeOverSingleDocument(dir: string): Promise<void> {
    const file = path.join(dir, `${SINGLE_DOCUMENT}.json`);
    if (!(await exists(file))) return;
    const single = new ProfileShard(
      await CollectionFile.open<ProfilesDocument>(dir, SINGLE_DOCUMENT, emptyProfiles()),
    );
    const touched = new Set<ProfileShard>();
    for (const pick of RECORD_MAPS) {
      for (const [k, record] of pick(single)) touched.add(this.put(pick, k, record));
    }
    await this.commit(touched);
    await rm(file);
    await fsyncDir(dir);
  }

  private shardOf(k: string): ProfileShard {
    return this.shards[shardIndex(k, this.shards.length)] as ProfileShard;
  }

  private async commit(shards: Iterable<ProfileShard>): Promise<void> {
    await Promise.all([...new Set(shards)].map((s) => s.commit()));
  }

  async profile(appId: string, kind: ProfileKind, id: string): Promise<ProfileProperties | null> {
    const k = profileKey(appId, kind, id);
    return this.shardOf(k).profiles.get(k)?.properties ?? null;
  }

  async update(appId: string, updates: readonly ProfileUpdate[]): Promise<(string | null)[]> {
    const touched = new Set<ProfileShard>();
    const results = updates.map((u) => {
      const k = profileKey(appId, u.kind, u.id);
      const shard = this.shardOf(k);
      try {
        const next = applyOperations(shard.profiles.get(k)?.properties ?? null, u.operations);
        if (next === null) shard.profiles.delete(k);
        else {
          assertSerializable('a profile', next);
          shard.profiles.set(k, { appId, kind: u.kind, id: u.id, properties: next });
        }
        touched.add(shard);
        return null;
      } catch (err) {
        return (err as Error).message;
      }
    });
    await this.commit(touched);
    return results;
  }

  async alias(appId: string, alias: string, distinctId: string): Promise<string> {
    const k = profileKey(appId, alias);
    const shard = this.shardOf(k);
    const existing = shard.aliases.get(k);
    if (existing) return existing.distinctId;
    shard.aliases.set(k, { appId, alias, distinctId });
    await shard.commit();
    return distinctId;
  }

  async resolve(appId: string, id: string): Promise<string> {
    const k = profileKey(appId, id);
    return this.shardOf(k).aliases.get(k)?.distinctId ?? id;
  }

  async claimInsertIds(appId: string, ids: readonly string[], at: Date): Promise<Set<string>> {
    const now = at.getTime();
    const claimed = new Set<string>();
    const touched = new Set<ProfileShard>();
    const pruned = new Set<ProfileShard>();
    for (const id of ids) {
      const k = profileKey(appId, id);
      const shard = this.shardOf(k);
      // A shard is rewritten whole on its commit anyway: its expired ids go with the first
      // claim that looks into it, before the check, so an id older than the window counts again.
      if (!pruned.has(shard)) {
        shard.forgetInsertIdsBefore(now - INSERT_ID_WINDOW_MS, Number.POSITIVE_INFINITY);
        pruned.add(shard);
      }
      if (shard.insertIds.has(k)) continue;
      shard.insertIds.set(k, { appId, id, at: now });
      claimed.add(id);
      touched.add(shard);
    }
    await this.commit(touched);
    return claimed;
  }

  async pruneInsertIds(before: Date, limit: number): Promise<number> {
    let removed = 0;
    const touched: ProfileShard[] = [];
    for (const shard of this.shards) {
      if (removed >= limit) break;
      const n = shard.forgetInsertIdsBefore(before.getTime(), limit - removed);
      if (n > 0) touched.push(shard);
      removed += n;
    }
    await this.commit(touched);
    return removed;
  }

  async releaseInsertIds(appId: string, ids: readonly string[]): Promise<void> {
    const touched = new Set<ProfileShard>();
    for (const id of ids) {
      const k = profileKey(appId, id);
      const shard = this.shardOf(k);
      if (shard.insertIds.delete(k)) touched.add(shard);
    }
    await this.commit(touched);
  }

  async grant(
    appId: string,
    userId: string,
    offerId: string,
    at: Date,
    limits: GrantLimits,
  ): Promise<boolean> {
    const k = profileKey(appId, userId, offerId);
    const shard = this.shardOf(k);
    const current = shard.grants.get(k);
    const now = at.getTime();
    if (current && limits.maxPerUser !== null && current.count >= limits.maxPerUser) return false;
    if (current && limits.cooldownMs !== null && now - current.lastAt < limits.cooldownMs) return false;
    shard.grants.set(k, { appId, userId, offerId, count: (current?.count ?? 0) + 1, lastAt: now });
    await shard.commit();
    return true;
  }

  flush(): Promise<void> {
    return Promise.all(this.shards.map((s) => s.file.flush())).then(() => undefined);
  }

  exportRecords(collection: string): AsyncIterable<PortableRecord[]> {
    const ms = (at: number) => new Date(at).toISOString();
    const all = <R>(pick: (s: ProfileShard) => Map<string, R>): R[] =>
      this.shards.flatMap((s) => [...pick(s).values()]);
    const records: Record<string, () => PortableRecord[]> = {
      'profiles.profiles': () => all((s) => s.profiles),
      'profiles.aliases': () => all((s) => s.aliases),
      'profiles.insertIds': () =>
        all((s) => s.insertIds).map(
          (r): InsertIdPortableRecord => ({ appId: r.appId, id: r.id, seenAt: ms(r.at) }),
        ),
      'profiles.grants': () =>
        all((s) => s.grants).map(
          (r): GrantPortableRecord => ({
            appId: r.appId,
            userId: r.userId,
            offerId: r.offerId,
            count: r.count,
            lastAt: ms(r.lastAt),
          }),
        ),
    };
    const list = records[collection];
    if (!list) throw new Error(`unknown collection ${collection}`);
    return inBatches(list());
  }

  /** Adds the records to their shards and commits the shards they went to (meant for an empty store). */
  async importRecords(collection: string, records: readonly PortableRecord[]): Promise<void> {
    const touched = new Set<ProfileShard>();
    for (const rec of records) touched.add(this.importOne(collection, rec as Record<string, unknown>));
    await this.commit(touched);
  }

  /** Puts one portable record in its shard; returns the shard. */
  private importOne(collection: string, r: Record<string, unknown>): ProfileShard {
    const s = (field: string) => String(r[field]);
    if (collection === 'profiles.profiles') {
      const record = {
        appId: s('appId'),
        kind: r.kind as ProfileKind,
        id: s('id'),
        properties: r.properties as ProfileProperties,
      };
      return this.put((x) => x.profiles, keyOfProfile(record), record);
    }
    if (collection === 'profiles.aliases') {
      const record = { appId: s('appId'), alias: s('alias'), distinctId: s('distinctId') };
      return this.put((x) => x.aliases, keyOfAlias(record), record);
    }
    if (collection === 'profiles.insertIds') {
      const record = { appId: s('appId'), id: s('id'), at: Date.parse(isoTime(r.seenAt)) };
      return this.put((x) => x.insertIds, keyOfInsertId(record), record);
    }
    if (collection === 'profiles.grants') {
      const record = {
        appId: s('appId'),
        userId: s('userId'),
        offerId: s('offerId'),
        count: Number(r.count),
        lastAt: Date.parse(isoTime(r.lastAt)),
      };
      return this.put((x) => x.grants, keyOfGrant(record), record);
    }
    throw new Error(`unknown collection ${collection}`);
  }

  /** Sets `record` under `k` in the map `pick` names of k's shard; returns the shard. */
  private put<R>(pick: (shard: ProfileShard) => Map<string, R>, k: string, record: R): ProfileShard {
    const shard = this.shardOf(k);
    pick(shard).set(k, record);
    return shard;
  }
}
