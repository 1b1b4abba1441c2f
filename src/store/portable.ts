import { createHash } from 'node:crypto';

/**
 * One stored record in the adapter-neutral shape of its collection (plain JSON, ISO
 * times; see each API's `<api>-portable-records.ts`). `object`, so the port's own interfaces fit as they are.
 */
export type PortableRecord = object;

/**
 * Every record of a sub-store, out and in, whatever the adapter: what `offerd store copy`
 * moves between the embedded store and PostgreSQL. A record keeps everything, ids and
 * timestamps included; collections are named `<api>.<collection>`.
 */
export interface PortableStore {
  /** In import order: a collection comes after those its records refer to. */
  readonly collections: readonly string[];
  /** Every record of the collection in canonical shape, in batches, in stored (arrival) order. */
  exportRecords(collection: string): AsyncIterable<PortableRecord[]>;
  /**
   * Stores records exactly as given, in the given order (which becomes their arrival
   * order). Meant for an empty store, which `offerd store copy` checks first; it is
   * never a merge (PostgreSQL refuses a key already present).
   */
  importRecords(collection: string, records: readonly PortableRecord[]): Promise<void>;
}

/** The fields that identify a record of each collection: counts and checksums go by them. */
export const COLLECTION_KEYS: Readonly<Record<string, readonly string[]>> = {
  'banner.users': ['appId', 'userId'],
  'banner.assignments': ['appId', 'experimentId', 'bucketVersion', 'userId'],
  'banner.recentEvents': ['appId', 'userId'],
  'banner.exposures': ['appId', 'experimentId', 'bucketVersion', 'variationId'],
  'banner.experimentEnds': ['appId', 'experimentId', 'bucketVersion'],
  'offerwall.catalogs': ['appId', 'wallId'],
  'offerwall.progress': ['appId', 'uid', 'offerId'],
  'offerwall.transactions': ['appId', 'transactionId'],
  'offerwall.bans': ['appId', 'id'],
  'journeys.users': ['appId', 'environment', 'externalId'],
  'journeys.events': ['appId', 'environment', 'id'],
  'journeys.offers': ['appId', 'environment', 'id'],
  'profiles.profiles': ['appId', 'kind', 'id'],
  'profiles.aliases': ['appId', 'alias'],
  'profiles.insertIds': ['appId', 'id'],
  'profiles.grants': ['appId', 'userId', 'offerId'],
};

export const BANNER_COLLECTIONS = [
  'banner.users',
  'banner.assignments',
  'banner.recentEvents',
  'banner.exposures',
  'banner.experimentEnds',
] as const;
export const OFFERWALL_COLLECTIONS = [
  'offerwall.catalogs',
  'offerwall.progress',
  'offerwall.transactions',
  'offerwall.bans',
] as const;
export const JOURNEYS_COLLECTIONS = ['journeys.users', 'journeys.events', 'journeys.offers'] as const;
/** The Kibotu SDK's profiles (/engage, /groups), aliases, event insert ids and special-offer grants. */
export const PROFILE_COLLECTIONS = [
  'profiles.profiles',
  'profiles.aliases',
  'profiles.insertIds',
  'profiles.grants',
] as const;

/** JSON with object keys sorted at every level: equal data, equal text, whatever the adapter. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function recordKey(collection: string, record: PortableRecord): string {
  const fields = COLLECTION_KEYS[collection];
  if (!fields) throw new Error(`unknown collection ${collection}`);
  return JSON.stringify(fields.map((f) => (record as Record<string, unknown>)[f]));
}

export interface CollectionSummary {
  count: number;
  /** sha256 (hex) over the canonical JSON of every record, one per line, sorted by key. */
  checksum: string;
}

/** Counts and checksums one collection as exported (order-independent). */
export async function summarize(store: PortableStore, collection: string): Promise<CollectionSummary> {
  const lines: [string, string][] = [];
  for await (const batch of store.exportRecords(collection)) {
    for (const r of batch) lines.push([recordKey(collection, r), canonicalJson(r)]);
  }
  lines.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const hash = createHash('sha256');
  for (const [, line] of lines) hash.update(`${line}\n`);
  return { count: lines.length, checksum: hash.digest('hex') };
}

/** A time as canonical ISO 8601 (ms, UTC), whether it came as a Date or a string. */
export function isoTime(value: unknown): string {
  return new Date(value as string | Date).toISOString();
}

export function isoTimeOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : isoTime(value);
}

/** Yields `items` in slices of `size` (the document adapters' export). */
export async function* inBatches<T>(items: readonly T[], size = 1000): AsyncIterable<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
