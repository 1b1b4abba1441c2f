import type { CollectionFile } from '../../store/document/collection-file.js';
import type { ProfileProperties } from '../domain/profile-ops.js';
import type { ProfileKind } from './profile-store.js';

export interface ProfileRecord {
  appId: string;
  kind: ProfileKind;
  id: string;
  properties: ProfileProperties;
}
export interface AliasRecord {
  appId: string;
  alias: string;
  distinctId: string;
}
export interface InsertIdRecord {
  appId: string;
  id: string;
  /** ms since the epoch */
  at: number;
}
export interface GrantRecord {
  appId: string;
  userId: string;
  offerId: string;
  count: number;
  /** ms since the epoch */
  lastAt: number;
}
/** One shard file's document: every kind of record whose key hashes to the shard. */
export interface ProfilesDocument {
  profiles: ProfileRecord[];
  aliases: AliasRecord[];
  insertIds: InsertIdRecord[];
  grants: GrantRecord[];
}

export const emptyProfiles = (): ProfilesDocument => ({
  profiles: [],
  aliases: [],
  insertIds: [],
  grants: [],
});

// Ids never contain a newline (they are validated), so joined keys cannot collide.
export const profileKey = (...parts: string[]): string => parts.join('\n');
export const keyOfProfile = (r: ProfileRecord) => profileKey(r.appId, r.kind, r.id);
export const keyOfAlias = (r: AliasRecord) => profileKey(r.appId, r.alias);
export const keyOfInsertId = (r: InsertIdRecord) => profileKey(r.appId, r.id);
export const keyOfGrant = (r: GrantRecord) => profileKey(r.appId, r.userId, r.offerId);

/**
 * The records of one shard file, indexed by key. The maps are the truth between writes:
 * commit() writes the file's lists from them, so a write costs one shard's records, not
 * the store's (in one document, every /track or /engage rewrote every profile and every
 * remembered insert id: 2.6 ms per update at 100,000 profiles, 16 ms per claim at 300,000
 * ids, on the event loop).
 */
export class ProfileShard {
  profiles = new Map<string, ProfileRecord>();
  aliases = new Map<string, AliasRecord>();
  insertIds = new Map<string, InsertIdRecord>();
  grants = new Map<string, GrantRecord>();

  constructor(readonly file: CollectionFile<ProfilesDocument>) {
    this.index();
    // A failed write puts the file's content back in `data`: the maps follow it.
    file.onRestore(() => this.index());
  }

  /** (Re)builds the maps from the file's lists. */
  index(): void {
    const d = this.file.data;
    this.profiles = new Map(d.profiles.map((r) => [keyOfProfile(r), r]));
    this.aliases = new Map(d.aliases.map((r) => [keyOfAlias(r), r]));
    this.insertIds = new Map(d.insertIds.map((r) => [keyOfInsertId(r), r]));
    this.grants = new Map(d.grants.map((r) => [keyOfGrant(r), r]));
  }

  /** Forgets up to `limit` ids seen before `ms`; returns how many. */
  forgetInsertIdsBefore(ms: number, limit: number): number {
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

  /** Resolves once the shard's current records are on disk. */
  commit(): Promise<void> {
    this.file.data = {
      profiles: [...this.profiles.values()],
      aliases: [...this.aliases.values()],
      insertIds: [...this.insertIds.values()],
      grants: [...this.grants.values()],
    };
    return this.file.commit();
  }
}
