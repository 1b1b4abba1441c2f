import { CAMPAIGN_CATEGORY, GAME_PLAY_CATEGORY } from '../domain/journey-types.js';
import {
  campaignKey,
  type EventFacts,
  type EventTotals,
  isWin,
  windowStarts,
} from '../domain/profile-aggregates.js';

/**
 * From this many events a user's totals are kept running (below, one pass over the events
 * costs less than keeping them: ~0.3 µs an event). Without it every profile read and POST
 * /users of a user grown to 200,000 events (2,000 public-key batches) summed them all on the
 * event loop, ~130 ms each: 60 concurrent reads of that one user held every other client
 * for 10 s (hostile probe).
 */
export const RUNNING_FROM_EVENTS = 256;

/** One window's sums: the events later than `since`, which start at `from` in the time-ordered list. */
interface WindowSums {
  since: number;
  from: number;
  plays: number;
  points: number;
}

const at = (e: EventFacts): number => Date.parse(e.occurredAt);
const earned = (e: EventFacts): number => Math.max(e.points, 0);
const isPlay = (e: EventFacts): boolean => e.category === GAME_PLAY_CATEGORY;

/**
 * eventTotals of one user's events (kept in occurredAt order by JourneysIndexes), kept
 * up to date as events are added and taken back, so that a read costs the events that left
 * a window since the last read, not all of them. The lifetime sums move with each event;
 * each window is the tail of the time-ordered list after its start, and a later `now` only
 * moves that start forward (an earlier `now`, a test's clock, sums the window again).
 * test/journeys/store/running-event-totals.test.ts holds it to eventTotals.
 */
export class RunningEventTotals {
  #plays = 0;
  #wins = 0;
  #points = 0;
  /** Per campaign key, how many of the user's events name it. */
  readonly #campaigns = new Map<string, number>();
  #w7: WindowSums | null = null;
  #w30: WindowSums | null = null;

  constructor(events: readonly EventFacts[]) {
    for (const e of events) this.#count(e, 1);
  }

  /** `e` was inserted into the user's list in time order. */
  added(e: EventFacts): void {
    this.#count(e, 1);
    this.#windowsSee(e, 1);
  }

  /** `e` was taken out of the user's list (an append whose write failed). */
  removed(e: EventFacts): void {
    this.#count(e, -1);
    this.#windowsSee(e, -1);
  }

  /** eventTotals(events, now), where `events` is the list this object has seen every change of. */
  at(events: readonly EventFacts[], now: Date): EventTotals {
    const { since7d, since30d } = windowStarts(now);
    this.#w7 = advanced(this.#w7, events, since7d);
    this.#w30 = advanced(this.#w30, events, since30d);
    const first = events[0];
    const last = events[events.length - 1];
    return {
      firstAt: first ? at(first) : null,
      lastAt: last ? at(last) : null,
      events: events.length,
      plays: this.#plays,
      plays7d: this.#w7.plays,
      plays30d: this.#w30.plays,
      wins: this.#wins,
      points: this.#points,
      points7d: this.#w7.points,
      points30d: this.#w30.points,
      campaigns: this.#campaigns.size,
    };
  }

  #count(e: EventFacts, sign: 1 | -1): void {
    this.#points += sign * earned(e);
    if (isPlay(e)) {
      this.#plays += sign;
      if (isWin(e)) this.#wins += sign;
    }
    if (e.category !== CAMPAIGN_CATEGORY) return;
    const key = campaignKey(e);
    const n = (this.#campaigns.get(key) ?? 0) + sign;
    if (n > 0) this.#campaigns.set(key, n);
    else this.#campaigns.delete(key);
  }

  /**
   * An event in a window changes its sums. One before it sits before the window's first
   * event (the list is in time order, ties by arrival), so the window starts one later, or
   * one earlier when it is taken out.
   */
  #windowsSee(e: EventFacts, sign: 1 | -1): void {
    for (const w of [this.#w7, this.#w30]) {
      if (!w) continue;
      if (at(e) > w.since) {
        w.points += sign * earned(e);
        if (isPlay(e)) w.plays += sign;
      } else w.from += sign;
    }
  }
}

/** The window at `since`: moved forward from `w` when it starts later, summed again otherwise. */
function advanced(w: WindowSums | null, events: readonly EventFacts[], since: number): WindowSums {
  if (!w || since < w.since) return summed(events, since);
  let { from, plays, points } = w;
  for (; from < events.length; from++) {
    const e = events[from] as EventFacts;
    if (at(e) > since) break;
    points -= earned(e);
    if (isPlay(e)) plays--;
  }
  return { since, from, plays, points };
}

/** The window's sums from scratch: its start found by bisection, then its events summed. */
function summed(events: readonly EventFacts[], since: number): WindowSums {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (at(events[mid] as EventFacts) <= since) lo = mid + 1;
    else hi = mid;
  }
  let plays = 0;
  let points = 0;
  for (let i = lo; i < events.length; i++) {
    const e = events[i] as EventFacts;
    points += earned(e);
    if (isPlay(e)) plays++;
  }
  return { since, from: lo, plays, points };
}
