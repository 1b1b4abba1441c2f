import type { VariationTally } from '../domain/experiment-results.js';
import type { ProfileProperties } from '../domain/profile-ops.js';
import type { UserActivity } from '../domain/user-activity.js';

/** A user's variation in one experiment, fixed at first exposure. */
export interface Assignment {
  experimentId: string;
  /** Assignments of an experiment are per bucket version; bumping it starts afresh. */
  bucketVersion: number;
  userId: string;
  variationId: number;
  /** ISO 8601. */
  assignedAt: string;
  /**
   * The experiment's split when the user was assigned (splitOf: `id:weight` pairs), so
   * the sample-ratio check compares them with the weights they were bucketed by, not later
   * ones. Absent for assignments stored before it was recorded (read as the current split).
   */
  weights?: string;
}

/**
 * Per event name a user tracked within their assignment's window (at or after it, before
 * its end), the summed values of those events (revenue; 0 when none had a value).
 */
export interface AssignmentValue {
  event: string;
  sum: number;
}

/** One experiment at one bucket version: the scope of an assignment. */
export interface ExperimentKey {
  experimentId: string;
  bucketVersion: number;
}

/** One accepted tracking event, linked to the render it reports on when it said so. */
export interface TrackedEvent {
  userId: string;
  name: string;
  /** When it happened per the client, in ms since the epoch; null when not sent. */
  time: number | null;
  /** When offerd received it (ISO 8601). Conversions are judged on conversionTime (time, bounded by this). */
  receivedAt: string;
  renderId: string | null;
  experimentId: string | null;
  variationId: number | null;
  /**
   * The event's value for revenue: its property named by an experiment's primary metric
   * (`metrics.primary.value`), when that is a finite number >= 0; else null.
   */
  value: number | null;
}

/** How many users one variation enrolled on one UTC day. */
export interface DailyEnrollment {
  /** The UTC day of the assignments, YYYY-MM-DD. */
  day: string;
  variationId: number;
  users: number;
}

/** The experiment variation a render was served in. */
export interface Exposure {
  experimentId: string;
  bucketVersion: number;
  variationId: number;
}

/** What a render reads of a user: the activity (null when never seen) and every assignment. */
export interface Visitor {
  user: UserActivity | null;
  assignments: Assignment[];
}

/** A render's visitor as the SDKs know it: under its distinct id, with its profile properties. */
export interface SdkVisitor extends Visitor {
  /** The distinct id the sent id stands for ($create_alias), or the sent id itself. */
  userId: string;
  /** As ProfileStore.profile returns them: null when the profile has none. */
  properties: ProfileProperties | null;
}

/** How many of a user's events are kept as-is (older ones live on only in the counters). */
export const RECENT_EVENTS_PER_USER = 20;

/**
 * Distinct event names counted per user. An app tracks the tens of names its code sends,
 * so a real user never comes near it; without it a client could send names without end
 * (255 characters each), and every /track of that user rewrote and re-read them all: 20,000
 * names made a 6.2 MB shard file, /track 44 -> 182 ms, other players' renders ~4 -> 200 ms.
 * At the cap a user of 255-character names fills 313 KB (sending 20,000 such names, the last
 * 50-event batches took 19 ms, not 147). An event of a name not kept is still stored and
 * counted in `events`, `purchases` and the recent events.
 */
export const EVENT_NAMES_PER_USER = 1000;

/**
 * What the personal-offers API keeps, per app. Every write resolves only once it is
 * durable (recordRender excepted, see there). Invariants an adapter must enforce (a database by constraints and
 * transactions, the document store by synchronous check-and-write):
 * - one assignment per (appId, experimentId, bucketVersion, userId), never changed;
 * - a tracked batch is applied entirely or not at all;
 * - counters are exact under concurrent calls (no lost updates).
 */
export interface BannerStore {
  /** What offerd knows about the user, or null for a user it has never seen. */
  user(appId: string, userId: string): Promise<UserActivity | null>;

  /** user() and assignments() at once: a database answers both in one round trip. */
  visitor(appId: string, userId: string): Promise<Visitor>;

  /**
   * Optional, for an adapter that also holds the SDK's aliases and profiles (PostgreSQL):
   * visitor() of the distinct id `sentId` stands for, with its profile properties, in one
   * round trip. Without it a render asks the ProfileStore for the alias and properties.
   */
  sdkVisitor?(appId: string, sentId: string): Promise<SdkVisitor>;

  /** The user's assignments in every experiment and bucket version of the app. */
  assignments(appId: string, userId: string): Promise<Assignment[]>;

  /**
   * Insert-if-absent on (appId, experimentId, bucketVersion, userId). Returns the
   * stored assignment — the proposal, or the one already there, which always wins —
   * and whether this call created it. Of concurrent calls for one key exactly one
   * creates, and all return the same assignment.
   *
   * `rivals` are the experiments competing for the proposal's slot: when the user
   * already holds an assignment in one of them, nothing is written and that one is
   * returned (its experimentId differs from the proposal's). The check and the write
   * are one atomic step per user, so concurrent first requests with different facts
   * never enrol a user in two experiments of one slot.
   *
   * An adapter that also holds the SDK's aliases (sdkVisitor) resolves the proposal's user
   * id again in that step, as it does each user id of track(): a link made since the caller
   * resolved it counts (the assignment lands under the user the alias links to, whose
   * stored one wins), and a link made after it sees the write (ProfileStore.alias).
   */
  assign(
    appId: string,
    proposal: Assignment,
    rivals?: readonly ExperimentKey[],
  ): Promise<{ assignment: Assignment; created: boolean }>;

  /**
   * Records one answered banner request: the user's visit (first and last seen,
   * renders) and, when it was served in an experiment, one exposure of that variation.
   * Both are counts no response promises (the variation's stickiness rests on the
   * assignment), so an adapter may write them behind: the embedded one within 30 seconds
   * (visits; exposures within 5),
   * PostgreSQL within 1 (per-instance sums, one statement per flush); flush() writes
   * them, and reads of the same store include them at once.
   * Not idempotent: every call is one more render.
   */
  recordRender(appId: string, userId: string, at: Date, exposure: Exposure | null): Promise<void>;

  /**
   * Stores a validated batch of events with their users (counters per event name,
   * purchases, the most recent RECENT_EVENTS_PER_USER events). All or nothing. A user
   * holds counters for at most EVENT_NAMES_PER_USER names: the first ones tracked (in
   * batch order); an event of a further name counts in every total but no per-name one. Events
   * carry no id in the vendor's protocol, so a batch sent twice counts twice (the SDK
   * service de-duplicates by insert id before). An event of a name the user has a counter
   * of is credited to each of the user's assignments whose window holds its conversionTime:
   * at or after the assignment, and before the user's assignment in a later bucket version
   * of the experiment and before the version's end (endVersions). Credited, the user
   * converts on its name there and its value (if any) adds to their revenue.
   *
   * `insertKeys` (aligned with `events`, null for an event without one): the keys the SDK
   * service claimed for them. An adapter whose claims can be lost after the events are
   * stored (the document store: its claims and events are separate files) keeps them with
   * what each event changed, and skips what an earlier try of the same key already stored,
   * until settleInsertKeys() says the claims are durable.
   */
  track(
    appId: string,
    events: readonly TrackedEvent[],
    insertKeys?: readonly (string | null)[],
  ): Promise<void>;

  /**
   * The claims of `insertKeys`, given to track() with `events`, are durable: what the
   * adapter kept of them for a retry may go. Optional (an adapter that keeps nothing).
   */
  settleInsertKeys?(
    appId: string,
    events: readonly TrackedEvent[],
    insertKeys: readonly (string | null)[],
  ): void;

  /**
   * Merges what a sign-in's new id `from` holds into the player `into` it was just linked to
   * (SdkService.link, after ProfileStore.alias with adoptSince): its render stats folded
   * (earliest first seen, latest last seen, counts added), its assignments moved, except one
   * of an experiment and bucket version `into` holds, which is dropped (the player's variation
   * stays), and one of `drop` (an experiment sharing its slot with one of `into`'s); the
   * records of `from` go. On PostgreSQL the ProfileStore merged them in the link's
   * own transaction; only render counts written behind remain. Optional (nothing to merge).
   */
  adopt?(appId: string, from: string, into: string, drop?: readonly ExperimentKey[]): Promise<void>;

  /** The user's most recent events, oldest first. */
  recentEvents(appId: string, userId: string): Promise<TrackedEvent[]>;

  /**
   * Records that the named experiments' bucket versions up to each `bucketVersion` ended at
   * `at` (stopped, or a later version served), unless an end is already recorded for that
   * key: the first instant stays, ends are never moved or removed. Events that happened from
   * then on are credited to no assignment of those versions (track).
   */
  endVersions(appId: string, ended: readonly ExperimentKey[], at: Date): Promise<void>;

  /**
   * Per variation of one experiment and bucket version: assigned users, exposures,
   * and per event name the distinct assigned users credited with it (track: within their
   * assignment's window, by the event's conversionTime). With `valueEvent`, also `revenue`:
   * Σ and Σ² over assigned users of each one's summed values of that event in the window.
   */
  tallies(
    appId: string,
    experimentId: string,
    bucketVersion: number,
    valueEvent?: string,
  ): Promise<VariationTally[]>;

  /**
   * Users newly assigned per UTC day and variation of one experiment and bucket version
   * (by assignedAt), days without an assignment left out, ordered by day then variation.
   * Exposures have no such series: they are one counter per variation, so that a render
   * never writes a per-day row (a hot row) on the request path.
   */
  enrollmentsByDay(appId: string, experimentId: string, bucketVersion: number): Promise<DailyEnrollment[]>;

  /** When the bucket version ended (endVersions, ISO 8601), or null while it runs. */
  versionEnd(appId: string, experimentId: string, bucketVersion: number): Promise<string | null>;
}
