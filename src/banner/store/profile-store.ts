import type { ProfileOperation, ProfileProperties } from '../domain/profile-ops.js';
import type { ExperimentKey } from './banner-store.js';

/** A user profile (`/engage`) or a group profile (`/groups`, keyed by group key and id). */
export type ProfileKind = 'user' | 'group';

export interface ProfileUpdate {
  kind: ProfileKind;
  /** The distinct id of a user; `groupProfileId(key, id)` for a group. */
  id: string;
  operations: ProfileOperation[];
  /**
   * The retry key claimed for it (Unity's queue id, claimInsertIds): an adapter whose claim
   * can be lost after the update is stored keeps it with the profile and skips a retry's
   * update that an earlier try applied, until settleRetryKeys() (PostgreSQL marks the claim
   * stored in the update's transaction).
   */
  retryKey?: string | null;
  /**
   * When it was received: a profile it creates was first seen then (a sign-in's link may take
   * over only a profile made since SIGN_IN_WINDOW_MS before it). Absent: now.
   */
  at?: Date;
}

/** Limits of a special offer a grant is checked against; null: no limit. */
export interface GrantLimits {
  /** Milliseconds that must pass after the user's last grant of this offer. */
  cooldownMs: number | null;
  /** Grants of this offer per user, ever. */
  maxPerUser: number | null;
}

/** A grant found by the predict_id it was last made for: what a retry of that call replays. */
export interface GrantMade {
  offerId: string;
  /** When it was granted (the grant a retry replays is not counted again). */
  at: Date;
}

/** A group profile's id: key and id joined by a character no validated id contains. */
export const groupProfileId = (groupKey: string, groupId: string): string => `${groupKey}\n${groupId}`;

/** How long an event's `$insert_id` is remembered: a retry later than this counts again. */
export const INSERT_ID_WINDOW_MS = 7 * 86_400_000;

/**
 * What the rest of the Kibotu SDK's calls keep, per app: profiles with their properties,
 * aliases, the insert ids of tracked events, and special-offer grants. Every write
 * resolves once durable; every check-and-write is atomic (a database by constraints and
 * row locks, the document store by synchronous check-and-write).
 */
export interface ProfileStore {
  /** The profile's properties, or null when it has none (never set, or deleted). */
  profile(appId: string, kind: ProfileKind, id: string): Promise<ProfileProperties | null>;

  /**
   * Applies each update in order, each atomically (read, apply, write under one lock).
   * Returns per update null, or why it failed (a profile over its property or byte limit); a
   * failed update changes nothing.
   */
  update(appId: string, updates: readonly ProfileUpdate[]): Promise<(string | null)[]>;

  /**
   * Links `alias` to the user `distinctId` stands for (`distinctId` itself, or what it is
   * an alias of), unless `alias` is already linked or is that user; returns the user
   * `alias` stands for. Resolving and linking are one atomic step, also across instances:
   * concurrent A→B and B→A link one of the two, never both (which would swap the users).
   * With `mustBeNew`, nothing is linked (null) when `alias`, neither linked nor that user, has a
   * profile with properties, ids linked to it or a grant of one of `offerIds`, checked in
   * that same step, which profile updates and grants of user ids resolve and write atomically
   * with; an adapter that also holds the banner's data (PostgreSQL) checks the alias's events,
   * renders and assignments there too, which its writes of them resolve atomically with (the
   * caller checks the other stores' data before: SdkService.link).
   *
   * With `adoptSince` (a sign-in, `_kb_identify`: SdkService.link), what a just-signed-in
   * device makes before its queued identify arrives does not refuse the link: a profile
   * first made at or after `adoptSince` is merged into the user's (its properties, being
   * newer, win) and removed; an adapter holding the banner's data (PostgreSQL) also merges
   * there the alias's render stats (no tracked event, first seen at or after `adoptSince`)
   * and assignments (one of an experiment and bucket version the user holds is dropped:
   * the user's variation stays), all in the link's atomic step; so is one of `drop` (an
   * experiment sharing its slot with the user's: SdkService.link). Anything else of the alias
   * refuses it as without.
   */
  alias(
    appId: string,
    alias: string,
    distinctId: string,
    mustBeNew?: boolean,
    offerIds?: readonly string[],
    adoptSince?: Date | null,
    drop?: readonly ExperimentKey[],
  ): Promise<string | null>;

  /** The distinct id `id` is an alias of, or `id` itself. */
  resolve(appId: string, id: string): Promise<string>;

  /**
   * Whether other ids are linked to `id`: it is then a user (their events are stored under
   * it), never an alias a later link may make of it — resolution follows one hop, so A→B then
   * B→C would leave A's data under B, which answers as C (SdkService.link).
   */
  linkedTo(appId: string, id: string): Promise<boolean>;

  /**
   * Insert-if-absent of event insert ids seen within INSERT_ID_WINDOW_MS before `at`
   * (of concurrent calls with one id, exactly one gets it), for the events `store` writes:
   * it runs with the ids this call claimed, and the call resolves with them once both are
   * durable. If `store` fails, the claims are taken back and the call rejects, so that the
   * SDK's retry stores the events then. A call naming an id whose events another call of
   * this instance is still storing waits for that outcome: a duplicate once they are
   * stored, its own claim if that call failed — never acknowledged before the events are.
   */
  claimInsertIds(
    appId: string,
    ids: readonly string[],
    at: Date,
    store?: (claimed: ReadonlySet<string>) => Promise<void>,
  ): Promise<Set<string>>;

  /**
   * Forgets every app's ids seen before `before` (at most `limit` per call); returns how
   * many. Without it the ids of the past would pile up for ever: see InsertIdPruner.
   */
  pruneInsertIds(before: Date, limit: number): Promise<number>;

  /** The claims of the updates' retry keys are durable: what the adapter kept of them may go. */
  settleRetryKeys?(appId: string, updates: readonly ProfileUpdate[]): void;

  /**
   * Records one grant of a special offer to the user `userId` stands for (resolved again in
   * the atomic step: a link made since the caller resolved it counts) if the limits allow it
   * at `at` (atomic check-and-record). The grant
   * remembers `predictId`: when the offer's last grant was made for the same non-null
   * `predictId` (a retry of that call, or a concurrent copy of it), that grant is replayed
   * instead — nothing counted or moved, whatever the limits say. Returns when the grant the
   * call gets was made: `at` for a new one, the original grant's time for a replay (so every
   * copy of a call shows the same expiry); null when the cooldown or the cap says no.
   */
  grant(
    appId: string,
    userId: string,
    offerId: string,
    at: Date,
    limits: GrantLimits,
    predictId: string | null,
  ): Promise<Date | null>;

  /**
   * Whether the user holds a grant of any of `offerIds`: a user served only special offers
   * is a user with data of its own, never a new id an alias may take (SdkService.link).
   */
  granted(appId: string, userId: string, offerIds: readonly string[]): Promise<boolean>;

  /**
   * Of `offerIds`, those whose last grant to the user was made for `predictId`, the most
   * recent first. Only each offer's last grant is remembered: an offer granted again since,
   * for another predict_id, is not found by the earlier one.
   */
  grantsFor(
    appId: string,
    userId: string,
    offerIds: readonly string[],
    predictId: string,
  ): Promise<GrantMade[]>;
}
