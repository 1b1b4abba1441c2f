import { isoTime, type PortableRecord } from '../../store/portable.js';
import type { ProfileProperties } from '../domain/profile-ops.js';
import type { InsertIdLog } from './insert-id-log.js';
import { keyOfAlias, keyOfGrant, keyOfProfile, type ProfileShard } from './profile-document-shard.js';
import type {
  GrantPortableRecord,
  InsertIdPortableRecord,
  ProfilePortableRecord,
} from './profile-portable-records.js';
import type { ProfileKind } from './profile-store.js';

const ms = (at: number) => new Date(at).toISOString();

/** The records of one profile collection, in their portable form (`offerd store copy`, `compare`). */
export function portableRecords(
  shards: readonly ProfileShard[],
  insertIds: InsertIdLog,
  collection: string,
): PortableRecord[] {
  const all = <R>(pick: (s: ProfileShard) => Map<string, R>): R[] =>
    shards.flatMap((s) => [...pick(s).values()]);
  switch (collection) {
    // The portable form only (ProfilePortableRecord): a record still holding the insert keys
    // of a retry window (HoldsKeys) exported them, the copy's import dropped them, and
    // `store copy`/`compare` called a healthy store a mismatch (newcomer and operator probes).
    case 'profiles.profiles':
      return all((s) => s.profiles).map(
        (r): ProfilePortableRecord => ({ appId: r.appId, kind: r.kind, id: r.id, properties: r.properties }),
      );
    case 'profiles.aliases':
      return all((s) => s.aliases);
    case 'profiles.insertIds':
      return insertIds
        .records()
        .map((r): InsertIdPortableRecord => ({ appId: r.appId, id: r.id, seenAt: ms(r.at) }));
    case 'profiles.grants':
      return all((s) => s.grants).map(
        (r): GrantPortableRecord => ({
          appId: r.appId,
          userId: r.userId,
          offerId: r.offerId,
          count: r.count,
          lastAt: ms(r.lastAt),
          predictId: r.predictId ?? null,
        }),
      );
    default:
      throw new Error(`unknown collection ${collection}`);
  }
}

/** Portable insert-id records as the insert-id log holds them. */
export function insertIdsOf(records: readonly PortableRecord[]): { appId: string; id: string; at: number }[] {
  return (records as readonly InsertIdPortableRecord[]).map((r) => ({
    appId: r.appId,
    id: r.id,
    at: Date.parse(isoTime(r.seenAt)),
  }));
}

/** One portable record of `collection`: the key whose shard holds it, and how to put it there. */
export function importedRecord(
  collection: string,
  r: Record<string, unknown>,
): { key: string; put: (shard: ProfileShard) => void } {
  const s = (field: string) => String(r[field]);
  if (collection === 'profiles.profiles') {
    const record = {
      appId: s('appId'),
      kind: r.kind as ProfileKind,
      id: s('id'),
      properties: r.properties as ProfileProperties,
    };
    const key = keyOfProfile(record);
    return { key, put: (shard) => shard.profiles.set(key, record) };
  }
  if (collection === 'profiles.aliases') {
    const record = { appId: s('appId'), alias: s('alias'), distinctId: s('distinctId') };
    return { key: keyOfAlias(record), put: (shard) => shard.link(record) };
  }
  if (collection === 'profiles.grants') {
    const record = {
      appId: s('appId'),
      userId: s('userId'),
      offerId: s('offerId'),
      count: Number(r.count),
      lastAt: Date.parse(isoTime(r.lastAt)),
      predictId: typeof r.predictId === 'string' ? r.predictId : null,
    };
    const key = keyOfGrant(record);
    return { key, put: (shard) => shard.grants.set(key, record) };
  }
  throw new Error(`unknown collection ${collection}`);
}
