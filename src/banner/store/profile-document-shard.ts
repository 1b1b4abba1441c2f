import type { CollectionFile } from '../../store/document/collection-file.js';
import type { ProfileProperties } from '../domain/profile-ops.js';
import type { HoldsKeys } from './banner-document-keys.js';
import type { InsertIdRecord } from './insert-id-log.js';
import type { ProfileKind } from './profile-store.js';

export interface ProfileRecord extends HoldsKeys {
  appId: string;
  kind: ProfileKind;
  id: string;
  properties: ProfileProperties;
  /**
   * When the profile was made (ISO 8601; ProfileUpdate.at): a sign-in may take over only a
   * profile made within its window. Absent in files of earlier versions and in imported
   * records: read as made long ago.
   */
  createdAt?: string;
}
export interface AliasRecord {
  appId: string;
  alias: string;
  distinctId: string;
}
export interface GrantRecord {
  appId: string;
  userId: string;
  offerId: string;
  count: number;
  /** ms since the epoch */
  lastAt: number;
  /** The predict_id of the last grant (null: none); absent in files of earlier versions. */
  predictId?: string | null;
}
/** One shard file's document: every kind of record whose key hashes to the shard. */
export interface ProfilesDocument {
  profiles: ProfileRecord[];
  aliases: AliasRecord[];
  /** Earlier versions kept the insert ids here: moved to the InsertIdLog on open. */
  insertIds?: InsertIdRecord[];
  grants: GrantRecord[];
}

export const emptyProfiles = (): ProfilesDocument => ({ profiles: [], aliases: [], grants: [] });

// Ids never contain a newline (they are validated), so joined keys cannot collide.
export const profileKey = (...parts: string[]): string => parts.join('\n');
export const keyOfProfile = (r: ProfileRecord) => profileKey(r.appId, r.kind, r.id);
export const keyOfAlias = (r: AliasRecord) => profileKey(r.appId, r.alias);
export const keyOfGrant = (r: GrantRecord) => profileKey(r.appId, r.userId, r.offerId);

/**
 * The records of one shard file, indexed by key. The maps are the truth between writes:
 * commit() writes the file's lists from them, so a write costs one shard's records, not
 * the store's (in one document, every /engage rewrote every profile: 5.5 ms of CPU per
 * update with 100,000 profiles and insert ids, 2.7 ms with 64 shards still holding the ids;
 * those grow with the events and are kept apart, see InsertIdLog).
 */
export class ProfileShard {
  profiles = new Map<string, ProfileRecord>();
  /** Read here; set through link(), which keeps `linked` with it. */
  aliases = new Map<string, AliasRecord>();
  grants = new Map<string, GrantRecord>();
  /**
   * Per (app, distinct id) of this shard's aliases: how many link to it. linkedTo asked every
   * shard to scan its aliases on each link, which anyone holding the public key can add
   * without end (hostile probe: a batch of 50 links, 80–190 ms of CPU, growing per alias).
   */
  private linked = new Map<string, number>();

  constructor(readonly file: CollectionFile<ProfilesDocument>) {
    this.index();
    // A failed write puts the file's content back in `data`: the maps follow it.
    file.onRestore(() => this.index());
  }

  /** (Re)builds the maps from the file's lists. */
  index(): void {
    const d = this.file.data;
    this.profiles = new Map(d.profiles.map((r) => [keyOfProfile(r), r]));
    this.aliases = new Map();
    this.linked = new Map();
    for (const r of d.aliases) this.link(r);
    this.grants = new Map(d.grants.map((r) => [keyOfGrant(r), r]));
  }

  /** Sets the alias (an alias is set once: it is never relinked). */
  link(r: AliasRecord): void {
    const k = keyOfAlias(r);
    const before = this.aliases.get(k);
    if (before) this.unlink(before);
    this.aliases.set(k, r);
    const target = profileKey(r.appId, r.distinctId);
    this.linked.set(target, (this.linked.get(target) ?? 0) + 1);
  }

  private unlink(r: AliasRecord): void {
    const target = profileKey(r.appId, r.distinctId);
    const n = (this.linked.get(target) ?? 0) - 1;
    if (n > 0) this.linked.set(target, n);
    else this.linked.delete(target);
  }

  /** Whether an alias of this shard links to the app's `distinctId`. */
  hasLinksTo(appId: string, distinctId: string): boolean {
    return this.linked.has(profileKey(appId, distinctId));
  }

  /** Insert ids an earlier version kept in this file (none once committed). */
  get legacyInsertIds(): readonly InsertIdRecord[] {
    return this.file.data.insertIds ?? [];
  }

  /** Resolves once the shard's current records are on disk. */
  commit(): Promise<void> {
    this.file.data = {
      profiles: [...this.profiles.values()],
      aliases: [...this.aliases.values()],
      grants: [...this.grants.values()],
    };
    return this.file.commit();
  }
}
