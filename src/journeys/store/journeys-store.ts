import type {
  JourneyEvent,
  JourneyUser,
  NewEvent,
  NewOffer,
  Offer,
  OfferLimits,
  Partition,
  UserPatch,
} from '../domain/journey-types.js';
import type { EventTotals } from '../domain/profile-aggregates.js';

/** One user with everything the generation job needs to decide about them. */
export interface UserActivity {
  user: JourneyUser;
  /** What their events add up to at the scan's `now` (see eventTotals). */
  totals: EventTotals;
  /** Every offer of the user, any status. */
  offers: readonly Offer[];
}

export type ClaimResult =
  | { ok: true; offer: Offer; event: JourneyEvent }
  | { ok: false; reason: 'not_found' | 'not_active' | 'expired' };

export interface AppendedEvent {
  event: JourneyEvent;
  /** True when the client event id was already stored: this is the earlier event, nothing was added. */
  duplicate: boolean;
}

export type OfferRejection = 'unknown_user' | 'max_active' | 'type_active' | 'cooldown' | 'duplicate_id';

/**
 * The user-journeys store port. Every record belongs to one partition (app and
 * environment): nothing ever crosses partitions, not even an id lookup. Every method
 * resolves only once its writes are durable. Returned objects are the caller's to keep;
 * the store never changes them afterwards.
 *
 * Invariants an adapter must hold even under concurrent calls (the document adapter
 * checks and writes without an await in between; PostgreSQL uses the constraints and
 * conditional statements noted on each method):
 * - one user per (partition, externalId);
 * - one event per (partition, externalId, clientEventId) when a client event id is given:
 *   the id is the user's, so another user's event with the same id is another event, and
 *   neither user ever gets the other's event back as a duplicate;
 * - per user, never more than `maxActiveOffers` active offers nor more than
 *   `maxActivePerType` of one type, an offer counting as active while its status is
 *   `active` and `expiresAt` is in the future;
 * - an offer moves from `active` to `claimed` at most once.
 */
export interface JourneysStore {
  /**
   * How many planned offers the generation job hands to one createOffers call: what a
   * call costs differs by adapter (a transaction per chunk, or a rewrite of whole files).
   */
  readonly offersPerCreate: number;

  /**
   * Creates the user or updates the given fields (see UserPatch). `newId` is called only
   * when the user is created. Throws UserBoundsError, storing nothing, when the merged tags
   * or metadata would break a bound of user-bounds.ts, also under concurrent upserts.
   * PostgreSQL: INSERT … ON CONFLICT (app, env, external_id) DO UPDATE, checked after it
   * in a transaction holding the user's row lock.
   */
  upsertUser(
    p: Partition,
    patch: UserPatch,
    now: Date,
    newId: () => string,
  ): Promise<{ user: JourneyUser; created: boolean }>;

  getUser(p: Partition, externalId: string): Promise<JourneyUser | null>;

  /**
   * Appends events, all or none. An event whose clientEventId its user already has stored
   * (or repeated for that user earlier in the same call) is not added again: its result is
   * the stored event with `duplicate: true`. A user unknown to the partition is created
   * with only its externalId (`newUserId` gives its id). PostgreSQL: one transaction, a
   * unique index on (app, env, external_id, client_event_id) and INSERT … ON CONFLICT DO
   * NOTHING.
   */
  appendEvents(
    p: Partition,
    events: readonly NewEvent[],
    now: Date,
    newUserId: () => string,
  ): Promise<AppendedEvent[]>;

  /** All events of a user, oldest first (by occurredAt, then arrival). Empty for an unknown user. */
  userEvents(p: Partition, externalId: string): Promise<JourneyEvent[]>;

  /**
   * What the user's events add up to at `now` (eventTotals of userEvents), summed where the
   * events are: a profile read costs one aggregate, not a copy of every event (30,000
   * events made a lowdb profile read take ~45 ms, most of it copying them). Zero totals
   * for an unknown user.
   */
  eventTotals(p: Partition, externalId: string, now: Date): Promise<EventTotals>;

  /** One page of a user's events, newest first, and how many there are in all. */
  timeline(
    p: Partition,
    externalId: string,
    page: { offset: number; limit: number },
  ): Promise<{ events: JourneyEvent[]; total: number }>;

  /** Every offer of a user, any status, oldest first. */
  userOffers(p: Partition, externalId: string): Promise<Offer[]>;

  /**
   * Claims an offer of this user: `not_found` for an id that is not this user's in this
   * partition, `not_active` when it was claimed (or is otherwise not active), `expired`
   * when it is marked expired or past `expiresAt`. On success the offer and the event
   * `claimEvent(offer)` builds are stored together (one commit). Of concurrent claims of one offer exactly
   * one succeeds. PostgreSQL: UPDATE … SET status='claimed' WHERE id=$1 AND status='active'
   * AND expires_at > now RETURNING, and the event insert, in one transaction.
   */
  claimOffer(
    p: Partition,
    externalId: string,
    offerId: string,
    now: Date,
    claimEvent: (offer: Offer) => NewEvent,
  ): Promise<ClaimResult>;

  /**
   * Marks every active offer of the partition with `expiresAt <= now` expired; returns how
   * many of each offer type it marked. May commit in several steps (PostgreSQL: batches,
   * each kept if a later one fails; what is left is marked by the next run).
   */
  expireDue(p: Partition, now: Date): Promise<Record<string, number>>;

  /**
   * The partition's users with their event totals at `now` and their offers, in batches;
   * users added during the scan may be missed. The offer arrays are read-only live views:
   * copy what must not change across an await.
   */
  scanUsers(p: Partition, batchSize: number, now: Date): AsyncIterable<UserActivity[]>;

  /**
   * Inserts offers, one commit for the whole call. Each is checked against the limits,
   * `notOfferedSince` (no offer of the type created after it) and the offers inserted
   * before it, and inserted or rejected — check and insert are one atomic step, so
   * concurrent generation runs cannot exceed a limit. PostgreSQL: per chunk of offers, a
   * transaction that takes the partition's advisory lock, checks the users exist, counts
   * their live offers and inserts. (Not a unique index: `maxActivePerType` may be
   * more than 1, and an offer past `expiresAt` stops counting before its status changes.)
   */
  createOffers(
    p: Partition,
    offers: readonly NewOffer[],
    limits: OfferLimits,
    now: Date,
  ): Promise<{ created: Offer[]; rejected: { offer: NewOffer; reason: OfferRejection }[] }>;
}
