import { PerUser } from './banner-document-keys.js';

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
  readonly #ids = new PerUser<number>();

  constructor(readonly maxPerApp: number) {}

  get(appId: string, id: string): number | undefined {
    return this.#ids.get(appId, id);
  }

  /** Claims `id` at `at`, dropping the app's oldest ids beyond the bound. */
  set(appId: string, id: string, at: number): void {
    // Deleted first, so the claim moves to the end of the app's insertion order.
    this.#ids.delete(appId, id);
    this.#ids.set(appId, id, at);
    const ids = this.#ids.of(appId);
    if (!ids) return;
    for (const oldest of ids.keys()) {
      if (ids.size <= this.maxPerApp) break;
      this.#ids.delete(appId, oldest);
    }
  }

  delete(appId: string, id: string): void {
    this.#ids.delete(appId, id);
  }

  /** Every id held, app by app, oldest first; deleting the one it stands on is allowed. */
  entries(): Generator<[appId: string, id: string, at: number]> {
    return this.#ids.entries();
  }
}
