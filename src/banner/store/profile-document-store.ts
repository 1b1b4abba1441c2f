import { CollectionFile } from '../../store/document/collection-file.js';
import { assertSerializable } from '../../store/document/serializable.js';
import {
  inBatches,
  isoTime,
  type PortableRecord,
  type PortableStore,
  PROFILE_COLLECTIONS,
} from '../../store/portable.js';
import { applyOperations, type ProfileProperties } from '../domain/profile-ops.js';
import type { GrantPortableRecord, InsertIdPortableRecord } from './profile-portable-records.js';
import {
  type GrantLimits,
  INSERT_ID_WINDOW_MS,
  type ProfileKind,
  type ProfileStore,
  type ProfileUpdate,
} from './profile-store.js';

interface ProfileRecord {
  appId: string;
  kind: ProfileKind;
  id: string;
  properties: ProfileProperties;
}
interface AliasRecord {
  appId: string;
  alias: string;
  distinctId: string;
}
interface InsertIdRecord {
  appId: string;
  id: string;
  /** ms since the epoch */
  at: number;
}
interface GrantRecord {
  appId: string;
  userId: string;
  offerId: string;
  count: number;
  /** ms since the epoch */
  lastAt: number;
}
interface ProfilesDocument {
  profiles: ProfileRecord[];
  aliases: AliasRecord[];
  insertIds: InsertIdRecord[];
  grants: GrantRecord[];
}

const EMPTY: ProfilesDocument = { profiles: [], aliases: [], insertIds: [], grants: [] };
// Ids never contain a newline (they are validated), so joined keys cannot collide.
const key = (...parts: string[]): string => parts.join('\n');

/**
 * ProfileStore in one JSON document (lowdb), or in memory. Every check-and-write runs
 * synchronously before its commit is awaited, so concurrent calls cannot interleave.
 */
export class ProfileDocumentStore implements ProfileStore, PortableStore {
  readonly collections = PROFILE_COLLECTIONS;
  private profiles = new Map<string, ProfileRecord>();
  private aliases = new Map<string, AliasRecord>();
  private insertIds = new Map<string, InsertIdRecord>();
  private grants = new Map<string, GrantRecord>();

  private constructor(readonly file: CollectionFile<ProfilesDocument>) {
    this.index();
    file.onRestore(() => this.index());
  }

  static async open(dir: string | null): Promise<ProfileDocumentStore> {
    return new ProfileDocumentStore(await CollectionFile.open(dir, 'banner-profiles', EMPTY));
  }

  private index(): void {
    const d = this.file.data;
    this.profiles = new Map(d.profiles.map((r) => [key(r.appId, r.kind, r.id), r]));
    this.aliases = new Map(d.aliases.map((r) => [key(r.appId, r.alias), r]));
    this.insertIds = new Map(d.insertIds.map((r) => [key(r.appId, r.id), r]));
    this.grants = new Map(d.grants.map((r) => [key(r.appId, r.userId, r.offerId), r]));
  }

  /** Writes the indexes back as the document's lists (the indexes are the truth between writes). */
  private async save(): Promise<void> {
    this.file.data = {
      profiles: [...this.profiles.values()],
      aliases: [...this.aliases.values()],
      insertIds: [...this.insertIds.values()],
      grants: [...this.grants.values()],
    };
    await this.file.commit();
  }

  async profile(appId: string, kind: ProfileKind, id: string): Promise<ProfileProperties | null> {
    return this.profiles.get(key(appId, kind, id))?.properties ?? null;
  }

  async update(appId: string, updates: readonly ProfileUpdate[]): Promise<(string | null)[]> {
    const results = updates.map((u) => {
      const k = key(appId, u.kind, u.id);
      try {
        const next = applyOperations(this.profiles.get(k)?.properties ?? null, u.operations);
        if (next === null) this.profiles.delete(k);
        else {
          assertSerializable('a profile', next);
          this.profiles.set(k, { appId, kind: u.kind, id: u.id, properties: next });
        }
        return null;
      } catch (err) {
        return (err as Error).message;
      }
    });
    await this.save();
    return results;
  }

  async alias(appId: string, alias: string, distinctId: string): Promise<string> {
    const k = key(appId, alias);
    const existing = this.aliases.get(k);
    if (existing) return existing.distinctId;
    this.aliases.set(k, { appId, alias, distinctId });
    await this.save();
    return distinctId;
  }

  async resolve(appId: string, id: string): Promise<string> {
    return this.aliases.get(key(appId, id))?.distinctId ?? id;
  }

  async claimInsertIds(appId: string, ids: readonly string[], at: Date): Promise<Set<string>> {
    const now = at.getTime();
    // The whole document is rewritten on each commit anyway: expired ids go with every claim.
    this.forgetInsertIdsBefore(now - INSERT_ID_WINDOW_MS, Number.POSITIVE_INFINITY);
    const claimed = new Set<string>();
    for (const id of ids) {
      const k = key(appId, id);
      if (this.insertIds.has(k)) continue;
      this.insertIds.set(k, { appId, id, at: now });
      claimed.add(id);
    }
    if (claimed.size > 0) await this.save();
    return claimed;
  }

  async pruneInsertIds(before: Date, limit: number): Promise<number> {
    const removed = this.forgetInsertIdsBefore(before.getTime(), limit);
    if (removed > 0) await this.save();
    return removed;
  }

  private forgetInsertIdsBefore(ms: number, limit: number): number {
    let removed = 0;
    for (const [k, r] of this.insertIds) {
      if (removed >= limit) break;
      if (r.at < ms) {
        this.insertIds.delete(k);
        removed += 1;
      }
    }
    return removed;
  }

  async releaseInsertIds(appId: string, ids: readonly string[]): Promise<void> {
    for (const id of ids) this.insertIds.delete(key(appId, id));
    await this.save();
  }

  async grant(
    appId: string,
    userId: string,
    offerId: string,
    at: Date,
    limits: GrantLimits,
  ): Promise<boolean> {
    const k = key(appId, userId, offerId);
    const current = this.grants.get(k);
    const now = at.getTime();
    if (current && limits.maxPerUser !== null && current.count >= limits.maxPerUser) return false;
    if (current && limits.cooldownMs !== null && now - current.lastAt < limits.cooldownMs) return false;
    this.grants.set(k, { appId, userId, offerId, count: (current?.count ?? 0) + 1, lastAt: now });
    await this.save();
    return true;
  }

  flush(): Promise<void> {
    return this.file.flush();
  }

  exportRecords(collection: string): AsyncIterable<PortableRecord[]> {
    const ms = (at: number) => new Date(at).toISOString();
    const records: Record<string, () => PortableRecord[]> = {
      'profiles.profiles': () => [...this.profiles.values()],
      'profiles.aliases': () => [...this.aliases.values()],
      'profiles.insertIds': () =>
        [...this.insertIds.values()].map(
          (r): InsertIdPortableRecord => ({ appId: r.appId, id: r.id, seenAt: ms(r.at) }),
        ),
      'profiles.grants': () =>
        [...this.grants.values()].map(
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

  /** Adds the records to the indexes and commits them in one write (meant for an empty store). */
  async importRecords(collection: string, records: readonly PortableRecord[]): Promise<void> {
    for (const rec of records) this.importOne(collection, rec as Record<string, unknown>);
    await this.save();
  }

  private importOne(collection: string, r: Record<string, unknown>): void {
    const s = (field: string) => String(r[field]);
    if (collection === 'profiles.profiles') {
      const record = {
        appId: s('appId'),
        kind: r.kind as ProfileKind,
        id: s('id'),
        properties: r.properties as ProfileProperties,
      };
      this.profiles.set(key(record.appId, record.kind, record.id), record);
    } else if (collection === 'profiles.aliases') {
      this.aliases.set(key(s('appId'), s('alias')), {
        appId: s('appId'),
        alias: s('alias'),
        distinctId: s('distinctId'),
      });
    } else if (collection === 'profiles.insertIds') {
      const at = Date.parse(isoTime(r.seenAt));
      this.insertIds.set(key(s('appId'), s('id')), { appId: s('appId'), id: s('id'), at });
    } else if (collection === 'profiles.grants') {
      const grant = {
        appId: s('appId'),
        userId: s('userId'),
        offerId: s('offerId'),
        count: Number(r.count),
        lastAt: Date.parse(isoTime(r.lastAt)),
      };
      this.grants.set(key(grant.appId, grant.userId, grant.offerId), grant);
    } else throw new Error(`unknown collection ${collection}`);
  }
}
