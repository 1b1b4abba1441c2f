/**
 * The insert ids remembered in memory: per app, one Map of id → when claimed (ms), at most
 * `maxPerApp` ids, the longest-held dropped first.
 *
 * One Map per app rather than one keyed by `app\nid`: the app id comes from the config as a
 * two-byte (UTF-16) string, and a key joined with it is two-byte too, twice the id's size.
 * That, not the Map, is what made an id cost ~960 bytes in a hostile client's probe (255-char
 * ids: 544 bytes of key each); here the id from the request is the key, one byte a character.
 *
 * A Map iterates in insertion order, and set() moves an id to the end, so the first entry is
 * the id claimed longest ago (imports and adopted ids aside, which come with older instants):
 * dropping it first keeps the newest claims, those a retry can still repeat.
 */
export class InsertIdSet {
  readonly #apps = new Map<string, Map<string, number>>();

  constructor(readonly maxPerApp: number) {}

  get(appId: string, id: string): number | undefined {
    return this.#apps.get(appId)?.get(id);
  }

  /** Claims `id` at `at`, dropping the app's oldest ids beyond the bound. */
  set(appId: string, id: string, at: number): void {
    let ids = this.#apps.get(appId);
    if (!ids) {
      ids = new Map();
      this.#apps.set(appId, ids);
    }
    ids.delete(id);
    ids.set(id, at);
    for (const oldest of ids.keys()) {
      if (ids.size <= this.maxPerApp) break;
      ids.delete(oldest);
    }
  }

  delete(appId: string, id: string): void {
    const ids = this.#apps.get(appId);
    if (!ids) return;
    ids.delete(id);
    if (ids.size === 0) this.#apps.delete(appId);
  }

  /** Ids held, over every app. */
  get size(): number {
    let n = 0;
    for (const ids of this.#apps.values()) n += ids.size;
    return n;
  }

  /** Every id held, app by app, oldest first; deleting the one it stands on is allowed. */
  *entries(): Generator<[appId: string, id: string, at: number]> {
    for (const [appId, ids] of this.#apps) for (const [id, at] of ids) yield [appId, id, at];
  }
}
