import { assertSerializable } from '../../store/document/serializable.js';
import { ShardedCollection } from '../../store/document/sharded-collection.js';
import { openSingleDocument, removeSingleDocument } from '../../store/document/single-document.js';
import {
  inBatches,
  type PortableRecord,
  type PortableStore,
  PROFILE_COLLECTIONS,
} from '../../store/portable.js';
import { WritesUnderWay } from '../../store/writes-under-way.js';
import { applyOperations, type ProfileProperties } from '../domain/profile-ops.js';
import { holdKey, holdsKey, releaseKeys } from './banner-document-keys.js';
import type { ExperimentKey } from './banner-store.js';
import { InsertIdLog } from './insert-id-log.js';
import { importedRecord, insertIdsOf, portableRecords } from './profile-document-portable.js';
import {
  emptyProfiles,
  type GrantRecord,
  keyOfAlias,
  keyOfGrant,
  keyOfProfile,
  type ProfileRecord,
  ProfileShard,
  type ProfilesDocument,
  profileKey,
} from './profile-document-shard.js';
import type { GrantLimits, GrantMade, ProfileKind, ProfileStore, ProfileUpdate } from './profile-store.js';

/** As the banner store's users (banner-document-store.ts): an /engage batch may name 50 users. */
const SHARDS = 512;
/** The one document every record lived in before the store was sharded: taken over on open. */
const SINGLE_DOCUMENT = 'banner-profiles';

/**
 * ProfileStore in 512 shard files (`banner-profiles-00.json`...; lowdb documents), or in
 * memory. A record lives in the shard its key hashes to, so a write rewrites the shards
 * it touched, not every profile and insert id. Every check-and-write runs synchronously
 * before its commit is awaited, so concurrent calls cannot interleave.
 */
export class ProfileDocumentStore implements ProfileStore, PortableStore {
  readonly collections = PROFILE_COLLECTIONS;

  private readonly shards: readonly ProfileShard[];
  /**
   * Links and grants (by their record keys) whose write may not be on disk yet. What answers
   * from one — a retried link told it is done, a render resolved through a link, a special
   * offer replayed — waits for it: answered from memory, a kill -9 before the write lost what
   * the answer had promised (test/store/answers-wait-for-their-writes.test.ts).
   */
  private readonly writes = new WritesUnderWay<string>();

  private constructor(
    private readonly files: ShardedCollection<ProfilesDocument>,
    private readonly insertIds: InsertIdLog,
  ) {
    this.shards = files.shards.map((f) => new ProfileShard(f));
  }

  static async open(dir: string | null): Promise<ProfileDocumentStore> {
    const files = await ShardedCollection.open<ProfilesDocument>(dir, SINGLE_DOCUMENT, SHARDS, emptyProfiles);
    // Earlier versions: every record in one document, insert ids among the profiles.
    const single = (await openSingleDocument(dir, SINGLE_DOCUMENT, emptyProfiles()))?.data ?? null;
    const documents = [...files.shards.map((f) => f.data), ...(single ? [single] : [])];
    // The ids are in the log's file before the documents that held them are rewritten.
    const insertIds = await InsertIdLog.open(
      dir,
      documents.flatMap((d) => d.insertIds ?? []),
    );
    // Every record in the shard its key picks (lookups go by key alone).
    await files.rehome([{ of: (d) => d.profiles, key: keyOfProfile, incoming: single?.profiles ?? [] }]);
    await files.rehome([{ of: (d) => d.aliases, key: keyOfAlias, incoming: single?.aliases ?? [] }]);
    await files.rehome([{ of: (d) => d.grants, key: keyOfGrant, incoming: single?.grants ?? [] }]);
    const store = new ProfileDocumentStore(files, insertIds);
    // Rewritten without the insert ids they held, now in the log.
    await Promise.all(store.shards.filter((s) => s.legacyInsertIds.length > 0).map((s) => s.commit()));
    if (single && dir !== null) await removeSingleDocument(dir, SINGLE_DOCUMENT);
    return store;
  }

  /** Where the records of `k` are: open() rehomed every record to the shard its key picks. */
  private shardOf(k: string): ProfileShard {
    return this.shards[this.files.indexOf(k)] as ProfileShard;
  }

  private async commit(shards: Iterable<ProfileShard>): Promise<void> {
    await Promise.all([...new Set(shards)].map((s) => s.commit()));
  }

  async profile(appId: string, kind: ProfileKind, id: string): Promise<ProfileProperties | null> {
    const k = profileKey(appId, kind, id);
    const properties = this.shardOf(k).profiles.get(k)?.properties;
    // Emptied by a $delete: no profile, but the record stays (see update()).
    return properties && Object.keys(properties).length > 0 ? properties : null;
  }

  async update(appId: string, updates: readonly ProfileUpdate[]): Promise<(string | null)[]> {
    const touched = new Set<ProfileShard>();
    const results = updates.map((u) => {
      const k = profileKey(appId, u.kind, u.id);
      const shard = this.shardOf(k);
      const current = shard.profiles.get(k);
      const retryKey = u.retryKey ?? null;
      // Applied by an earlier try whose claim a kill lost (see the insert keys of track()):
      // the key was written with the profile, the claim after it.
      if (current && holdsKey(current, retryKey)) return null;
      try {
        const had = current && Object.keys(current.properties).length > 0 ? current.properties : null;
        const next = applyOperations(had, u.operations);
        if (next !== null) assertSerializable('a profile', next);
        // A $delete empties the record rather than removing it: it keeps when the id was
        // first seen, so it cannot make an old player look new to a link (alias(); a hostile
        // probe deleted a profile-only player's profile, then linked the id to its own).
        const record: ProfileRecord = { appId, kind: u.kind, id: u.id, properties: next ?? {} };
        const createdAt = current ? current.createdAt : (u.at ?? new Date()).toISOString();
        if (createdAt !== undefined) record.createdAt = createdAt;
        if (current?.insertKeys) record.insertKeys = current.insertKeys;
        holdKey(record, retryKey);
        shard.profiles.set(k, record);
        touched.add(shard);
        return null;
      } catch (err) {
        return (err as Error).message;
      }
    });
    await this.commit(touched);
    return results;
  }

  async alias(
    appId: string,
    alias: string,
    distinctId: string,
    mustBeNew = false,
    offerIds: readonly string[] = [],
    adoptSince: Date | null = null,
    // The banner's assignments are BannerDocumentStore's: it drops them (BannerStore.adopt).
    _drop: readonly ExperimentKey[] = [],
  ): Promise<string | null> {
    const k = profileKey(appId, alias);
    // Waited for in a loop with no await after the last check: this call's read comes next.
    const keys = [k, profileKey(appId, distinctId)];
    for (let w = this.writes.underWay(keys); w; w = this.writes.underWay(keys)) await w;
    // Read and set in one synchronous step: no other call can link, or update a profile, in between.
    const user = this.resolveNow(appId, distinctId);
    const shard = this.shardOf(k);
    const existing = shard.aliases.get(k);
    if (existing) return existing.distinctId;
    if (user === alias) return alias;
    const adopted = adoptSince === null ? undefined : this.recentProfile(appId, alias, adoptSince);
    const own = () =>
      (adopted === undefined && this.hasProperties(appId, alias)) ||
      this.linkedToNow(appId, alias) ||
      this.grantedNow(appId, alias, offerIds);
    if (mustBeNew && own()) return null;
    const touched = new Set([shard]);
    if (adopted) {
      const merged = this.overlay(appId, user, adopted);
      if (merged === null) return null;
      touched.add(merged);
      const ak = keyOfProfile(adopted);
      this.shardOf(ak).profiles.delete(ak);
      touched.add(this.shardOf(ak));
    }
    shard.link({ appId, alias, distinctId: user });
    await this.writes.track(k, this.commit(touched));
    return user;
  }

  /**
   * The alias's profile if it was made at or after `since` (a sign-in may take it over), null
   * when it has none; undefined when it has one made earlier (or before it was recorded).
   */
  private recentProfile(appId: string, alias: string, since: Date): ProfileRecord | null | undefined {
    const k = profileKey(appId, 'user', alias);
    const found = this.shardOf(k).profiles.get(k);
    if (!found) return null;
    return found.createdAt !== undefined && Date.parse(found.createdAt) >= since.getTime()
      ? found
      : undefined;
  }

  /**
   * Sets the adopted profile's properties over the user's (the signed-in device's are newer);
   * returns the shard written, or null when the result would break a profile limit.
   */
  private overlay(appId: string, user: string, adopted: ProfileRecord): ProfileShard | null {
    const k = profileKey(appId, 'user', user);
    const shard = this.shardOf(k);
    const current = shard.profiles.get(k);
    let next: ProfileProperties | null;
    try {
      next = applyOperations(current?.properties ?? null, [{ op: '$set', values: adopted.properties }]);
    } catch {
      return null;
    }
    if (next === null) return shard;
    const record: ProfileRecord = { appId, kind: 'user', id: user, properties: next };
    const createdAt = current ? current.createdAt : adopted.createdAt;
    if (createdAt !== undefined) record.createdAt = createdAt;
    if (current?.insertKeys) record.insertKeys = current.insertKeys;
    shard.profiles.set(k, record);
    return shard;
  }

  async resolve(appId: string, id: string): Promise<string> {
    const keys = [profileKey(appId, id)];
    for (let w = this.writes.underWay(keys); w; w = this.writes.underWay(keys)) await w;
    return this.resolveNow(appId, id);
  }

  async linkedTo(appId: string, id: string): Promise<boolean> {
    return this.linkedToNow(appId, id);
  }

  /** A lookup in each shard's index of link targets (aliases are sharded by alias, not by target). */
  private linkedToNow(appId: string, id: string): boolean {
    return this.shards.some((shard) => shard.hasLinksTo(appId, id));
  }

  private hasProperties(appId: string, id: string): boolean {
    const k = profileKey(appId, 'user', id);
    return this.shardOf(k).profiles.get(k) !== undefined;
  }

  private resolveNow(appId: string, id: string): string {
    const k = profileKey(appId, id);
    return this.shardOf(k).aliases.get(k)?.distinctId ?? id;
  }

  settleRetryKeys(appId: string, updates: readonly ProfileUpdate[]): void {
    const keys = new Set(updates.flatMap((u) => (u.retryKey ? [u.retryKey] : [])));
    if (keys.size === 0) return;
    for (const u of updates) {
      const k = profileKey(appId, u.kind, u.id);
      const record = this.shardOf(k).profiles.get(k);
      if (record) releaseKeys(record, keys);
    }
  }

  claimInsertIds(
    appId: string,
    ids: readonly string[],
    at: Date,
    store?: (claimed: ReadonlySet<string>) => Promise<void>,
  ): Promise<Set<string>> {
    return this.insertIds.claim(appId, ids, at, store);
  }

  pruneInsertIds(before: Date, limit: number): Promise<number> {
    return this.insertIds.forgetBefore(before, limit);
  }

  async grant(
    appId: string,
    userId: string,
    offerId: string,
    at: Date,
    limits: GrantLimits,
    predictId: string | null,
  ): Promise<Date | null> {
    // A link of the id still being written is waited for: a grant filed through a link whose
    // write then failed (or a kill cut short) stayed with a player the id no longer resolved to,
    // and the id was granted the offer again past its limit (hostile check).
    const link = [profileKey(appId, userId)];
    for (let w = this.writes.underWay(link); w; w = this.writes.underWay(link)) await w;
    // Resolved again in the grant's synchronous step, as PostgreSQL does under the id's lock.
    const user = this.resolveNow(appId, userId);
    const k = profileKey(appId, user, offerId);
    const shard = this.shardOf(k);
    const current = shard.grants.get(k);
    // A retry of the call this grant was made for: replayed, not counted again. Once the
    // grant is durable: a concurrent copy may still be committing it.
    if (current && predictId !== null && current.predictId === predictId) {
      await shard.commit();
      return new Date(current.lastAt);
    }
    const now = at.getTime();
    if (current && limits.maxPerUser !== null && current.count >= limits.maxPerUser) return null;
    if (current && limits.cooldownMs !== null && now - current.lastAt < limits.cooldownMs) return null;
    const count = (current?.count ?? 0) + 1;
    shard.grants.set(k, { appId, userId: user, offerId, count, lastAt: now, predictId });
    await this.writes.track(k, shard.commit());
    return at;
  }

  async granted(appId: string, userId: string, offerIds: readonly string[]): Promise<boolean> {
    return this.grantedNow(appId, userId, offerIds);
  }

  private grantedNow(appId: string, userId: string, offerIds: readonly string[]): boolean {
    return offerIds.some((offerId) => {
      const k = profileKey(appId, userId, offerId);
      return this.shardOf(k).grants.has(k);
    });
  }

  async grantsFor(
    appId: string,
    userId: string,
    offerIds: readonly string[],
    predictId: string,
  ): Promise<GrantMade[]> {
    const keys = offerIds.map((offerId) => profileKey(appId, userId, offerId));
    for (let w = this.writes.underWay(keys); w; w = this.writes.underWay(keys)) await w;
    return offerIds
      .map((offerId) => {
        const k = profileKey(appId, userId, offerId);
        return this.shardOf(k).grants.get(k);
      })
      .filter((g): g is GrantRecord => g?.predictId === predictId)
      .sort((a, b) => b.lastAt - a.lastAt)
      .map((g) => ({ offerId: g.offerId, at: new Date(g.lastAt) }));
  }

  async flush(): Promise<void> {
    await Promise.all([...this.shards.map((s) => s.file.flush()), this.insertIds.flush()]);
  }

  exportRecords(collection: string): AsyncIterable<PortableRecord[]> {
    return inBatches(portableRecords(this.shards, this.insertIds, collection));
  }

  /** Adds the records to their shards and commits the shards they went to (meant for an empty store). */
  async importRecords(collection: string, records: readonly PortableRecord[]): Promise<void> {
    if (collection === 'profiles.insertIds') return this.insertIds.add(insertIdsOf(records));
    const touched = new Set<ProfileShard>();
    for (const rec of records) {
      const { key, put } = importedRecord(collection, rec as Record<string, unknown>);
      const shard = this.shardOf(key);
      put(shard);
      touched.add(shard);
    }
    await this.commit(touched);
  }
}
