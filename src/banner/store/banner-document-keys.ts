// Ids never contain a newline (they are validated), so joined keys cannot collide.
export const key = (...parts: (string | number)[]): string => parts.join('\n');

/** The canonical ISO text of a time given as a Date or as ISO text. */
export const iso = (at: Date | string): string => (typeof at === 'string' ? new Date(at) : at).toISOString();

/** The later of two ISO times: "last" times only move forward, whatever order writes come in. */
export function later(current: string | null, at: string): string {
  return current === null || Date.parse(current) < Date.parse(at) ? at : current;
}

export function push<K, V>(map: Map<K, V[]>, k: K, v: V): void {
  const list = map.get(k);
  if (list) list.push(v);
  else map.set(k, [v]);
}

/**
 * Values by app, then by user id: keyed by the ids the records already hold, so an index
 * entry allocates no joined key string (100,000 users: one per record per index).
 */
export class PerUser<V> {
  readonly #apps = new Map<string, Map<string, V>>();

  get(appId: string, userId: string): V | undefined {
    return this.#apps.get(appId)?.get(userId);
  }

  set(appId: string, userId: string, value: V): void {
    let users = this.#apps.get(appId);
    if (!users) {
      users = new Map();
      this.#apps.set(appId, users);
    }
    users.set(userId, value);
  }

  /** Forgets the value; an app left with none is dropped. */
  delete(appId: string, userId: string): void {
    const users = this.#apps.get(appId);
    if (!users) return;
    users.delete(userId);
    if (users.size === 0) this.#apps.delete(appId);
  }

  /** The app's values by user id, in insertion order (read only: changes go through set/delete). */
  of(appId: string): ReadonlyMap<string, V> | undefined {
    return this.#apps.get(appId);
  }

  /** Every value, app by app, in insertion order; deleting the one it stands on is allowed. */
  *entries(): Generator<[appId: string, userId: string, value: V]> {
    for (const [appId, users] of this.#apps) for (const [userId, v] of users) yield [appId, userId, v];
  }

  clear(): void {
    this.#apps.clear();
  }
}

/**
 * The insert keys of tracked events a record (a user, an event log, an assignment) holds
 * while their claims may not be on disk yet (see BannerDocumentStore.track): a retry after
 * a crash skips, record by record, what an earlier try already stored. At most this many a
 * record, the oldest dropped first: the keys of a crashed try's batches stay until its retry
 * comes, others are dropped as soon as their claims are durable (settle), so only a record
 * whose retry never came holds any.
 */
export const MAX_HELD_KEYS = 1000;

export interface HoldsKeys {
  insertKeys?: string[];
}

/** Whether `record` already took the event of `k` (never, for an event without a key). */
export const holdsKey = (record: HoldsKeys, k: string | null): boolean =>
  k !== null && (record.insertKeys?.includes(k) ?? false);

/** Records that `record` took the event of `k`. */
export function holdKey(record: HoldsKeys, k: string | null): void {
  if (k === null) return;
  record.insertKeys ??= [];
  record.insertKeys.push(k);
  if (record.insertKeys.length > MAX_HELD_KEYS) record.insertKeys.shift();
}

/** Drops `keys` from `record` (in memory: the next write of its file carries it). */
export function releaseKeys(record: HoldsKeys, keys: ReadonlySet<string>): void {
  if (record.insertKeys === undefined) return;
  const kept = record.insertKeys.filter((k) => !keys.has(k));
  if (kept.length > 0) record.insertKeys = kept;
  else delete record.insertKeys;
}
