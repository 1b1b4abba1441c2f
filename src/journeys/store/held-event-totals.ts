import { LRUCache } from 'lru-cache';
import type { Partition } from '../domain/journey-types.js';
import { DAY_MS, type EventTotals } from '../domain/profile-aggregates.js';
import { RUNNING_FROM_EVENTS } from './running-event-totals.js';

/** One heavy user's totals as summed by the database, with what they hold for. */
interface Held {
  /** The user's events version they were summed at (journeys_users.events_version). */
  version: string;
  /** Epoch ms they were summed at, and before which no event leaves a window. */
  at: number;
  until: number;
  totals: EventTotals;
}

/** When totals were summed: their events version, the instant, each window's earliest event (null: none). */
export interface SummedAt {
  version: string;
  at: number;
  firstIn7d: number | null;
  firstIn30d: number | null;
}

/** ~400 bytes each: 4 MB at most per instance, whatever the number of users. */
const HELD_USERS = 10_000;

const keyOf = (p: Partition, externalId: string): string =>
  `${p.appId}\u0000${p.environment}\u0000${externalId}`;

/**
 * The event totals of users with many events (from RUNNING_FROM_EVENTS, where the embedded
 * store keeps them running), held by one PostgreSQL store instance. Summing a user's events
 * costs the database ~0.4 µs each: a user grown to 200,000 events with 2,000 public-key
 * batches cost ~85 ms of its CPU per profile read, so a few dozen reads a second of that one
 * user took a core (hostile probe). Held totals are used only while they are still true:
 *  - the stored events version is the one they were summed at (the read asks the database,
 *    which skips summing when it is: USER_EVENT_TOTALS), so another instance's append is seen;
 *  - `now` is not before they were summed (an earlier clock sees other windows) and not past
 *    the first instant an event leaves the 7- or 30-day window (windows only lose events as
 *    time goes on; gaining one is an append).
 */
export class HeldEventTotals {
  readonly #held = new LRUCache<string, Held>({ max: HELD_USERS });

  /** The held totals still true at `now` (epoch ms) if the database says their version is still stored, a copy. */
  at(p: Partition, externalId: string, now: number): { version: string; totals: EventTotals } | null {
    const h = this.#held.get(keyOf(p, externalId));
    return h !== undefined && h.at <= now && now < h.until
      ? { version: h.version, totals: { ...h.totals } }
      : null;
  }

  /**
   * Holds totals just summed at `at` (epoch ms) for a heavy user; `firstIn7d`/`firstIn30d` are
   * the earliest event instants in each window (null: none).
   */
  keep(p: Partition, externalId: string, summed: SummedAt, totals: EventTotals): void {
    const key = keyOf(p, externalId);
    if (totals.events < RUNNING_FROM_EVENTS) {
      this.#held.delete(key);
      return;
    }
    const until = Math.min(
      summed.firstIn7d === null ? Number.POSITIVE_INFINITY : summed.firstIn7d + 7 * DAY_MS,
      summed.firstIn30d === null ? Number.POSITIVE_INFINITY : summed.firstIn30d + 30 * DAY_MS,
    );
    this.#held.set(key, { version: summed.version, at: summed.at, until, totals: { ...totals } });
  }
}
