import type { JourneyEvent, JourneyUser, Offer, Partition } from '../domain/journey-types.js';
import { type EventTotals, eventTotals } from '../domain/profile-aggregates.js';
import { RUNNING_FROM_EVENTS, RunningEventTotals } from './running-event-totals.js';

/** What the JSON files hold: every record carries its partition. */
export type StoredUser = JourneyUser & Partition;
export type StoredEvent = JourneyEvent & Partition;
export type StoredOffer = Offer & Partition;

/**
 * One shard file: the users whose key hashes to it, with their offers. Events live in the
 * events log (journeys-event-log.ts), except an `offer_claimed` event until the next open:
 * it is written here with its claimed offer, so that a claim is one atomic file write.
 */
export interface JourneysShard {
  users: StoredUser[];
  /** Claim events since the last open (and every event, in stores of earlier versions). */
  events: StoredEvent[];
  offers: StoredOffer[];
}

const SEP = '\u0000';
export const partitionKey = (p: Partition): string => `${p.appId}${SEP}${p.environment}`;
export const userKey = (p: Partition, externalId: string): string => `${partitionKey(p)}${SEP}${externalId}`;
/**
 * A client event id's key: the user's own, never the partition's alone, so that one user's
 * id neither finds nor blocks another user's event. An external id holds no control
 * character (journeys-schemas.ts), so the key splits one way only.
 */
const clientIdKey = (p: Partition, externalId: string, clientEventId: string): string =>
  `${userKey(p, externalId)}${SEP}${clientEventId}`;

/**
 * Inserts `e` after every event that did not happen later: occurredAt order, ties by arrival.
 * Most events arrive in time order: they go at the end after one comparison (the search
 * parsed ~18 dates an event at 200,000; a fifth of explaining such a user, whose events are
 * copied in order).
 */
function insertByTime(list: StoredEvent[], e: StoredEvent): void {
  const at = Date.parse(e.occurredAt);
  const last = list[list.length - 1];
  if (last === undefined || Date.parse(last.occurredAt) <= at) {
    list.push(e);
    return;
  }
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (Date.parse((list[mid] as StoredEvent).occurredAt) <= at) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, e);
}

/** One user's records. `user` is absent only for events whose user was never saved (see repairUsers). */
interface UserRecords {
  user: StoredUser | undefined;
  /** In occurredAt order, ties by arrival. */
  events: StoredEvent[];
  offers: StoredOffer[];
  /** The events' totals kept running, once they were read with many events (RUNNING_FROM_EVENTS). */
  running?: RunningEventTotals;
}

/**
 * In-memory indexes over the shards, so that no request ever scans a whole collection.
 * They point at the same objects the documents hold. A user's profile, events and offers
 * hang off one entry, per partition by external id.
 * Left out on purpose (bench's 100,000-user store after generation, 300,000 offers: the
 * journeys part's live heap 216 MB with them, 194 MB without; bench/store-memory.ts): a
 * composite `app\0env\0user` key string per user (the records' own externalId keys the
 * inner map); offers by id (a Map of 300,000 entries, 14.7 MB in a heap snapshot): a claim
 * names its user, whose few offers are walked, and the unique-id check keeps only the ids;
 * a set of active offers (10.5 MB): expireDue, once per generation run, walks the
 * partition's offers instead, which costs the same while most are active.
 */
export class JourneysIndexes {
  private readonly byPartition = new Map<string, Map<string, UserRecords>>();
  readonly eventsByClientId = new Map<string, StoredEvent>();
  /**
   * Per partition, every offer id (unique per partition, as PostgreSQL's key makes them):
   * 10.5 MB at 300,000 offers. Not a walk of the partition's offers per createOffers call:
   * that call lets other work in between its shards, so the check must see every insert.
   */
  private readonly offerIds = new Map<string, Set<string>>();

  /** Over the shards' records and `logged`, the events kept in the log (in the log's order). */
  constructor(shards: readonly JourneysShard[], logged: Iterable<StoredEvent>) {
    for (const s of shards) for (const u of s.users) this.addUser(u);
    for (const e of logged) this.addEvent(e);
    for (const s of shards) for (const e of s.events) this.addEvent(e);
    for (const s of shards) for (const o of s.offers) this.addOffer(o);
    // A list grown record by record keeps spare room (17 slots after the first push): the
    // loaded ones are copied to their exact length: at 100,000 users the ready service's heap
    // was 303 MB used instead of 323, RSS 520 MB instead of 549 after 20 s of banner load
    // (bench/service-memory.ts).
    for (const users of this.byPartition.values()) {
      for (const r of users.values()) {
        r.events = r.events.slice();
        r.offers = r.offers.slice();
      }
    }
  }

  private records(p: Partition, externalId: string): UserRecords | undefined {
    return this.byPartition.get(partitionKey(p))?.get(externalId);
  }

  private entry(p: Partition, externalId: string): UserRecords {
    const key = partitionKey(p);
    let users = this.byPartition.get(key);
    if (!users) {
      users = new Map();
      this.byPartition.set(key, users);
    }
    let r = users.get(externalId);
    if (!r) {
      r = { user: undefined, events: [], offers: [] };
      users.set(externalId, r);
    }
    return r;
  }

  user(p: Partition, externalId: string): StoredUser | undefined {
    return this.records(p, externalId)?.user;
  }

  /** The partition's users, in the order they were indexed (a new copy of the list). */
  usersOf(p: Partition): StoredUser[] {
    const users: StoredUser[] = [];
    for (const r of this.byPartition.get(partitionKey(p))?.values() ?? []) if (r.user) users.push(r.user);
    return users;
  }

  /** The user's events in occurredAt order (ties by arrival); read only. */
  eventsOf(p: Partition, externalId: string): readonly StoredEvent[] {
    return this.records(p, externalId)?.events ?? [];
  }

  /** eventTotals of the user's events at `now`; kept running for a user with many. */
  totalsOf(p: Partition, externalId: string, now: Date): EventTotals {
    const r = this.records(p, externalId);
    if (!r || r.events.length < RUNNING_FROM_EVENTS) return eventTotals(r?.events ?? [], now);
    r.running ??= new RunningEventTotals(r.events);
    return r.running.at(r.events, now);
  }

  /** The user's offers in creation order; read only. */
  offersOf(p: Partition, externalId: string): readonly StoredOffer[] {
    return this.records(p, externalId)?.offers ?? [];
  }

  /** The offers of every user of the partition; read only. */
  *offerLists(p: Partition): Iterable<readonly StoredOffer[]> {
    for (const r of this.byPartition.get(partitionKey(p))?.values() ?? []) yield r.offers;
  }

  /** The events of every user that has some (one list per user). */
  *eventLists(): Iterable<readonly StoredEvent[]> {
    for (const users of this.byPartition.values()) {
      for (const r of users.values()) if (r.events.length > 0) yield r.events;
    }
  }

  /** Every event, user by user, each user's in their order (indexing them again keeps it). */
  *allEvents(): Iterable<StoredEvent> {
    for (const events of this.eventLists()) yield* events;
  }

  addUser(u: StoredUser): void {
    this.entry(u, u.externalId).user = u;
  }

  /** The user's event carrying this client event id: ids are the user's, not the partition's. */
  eventByClientId(p: Partition, externalId: string, clientEventId: string): StoredEvent | undefined {
    return this.eventsByClientId.get(clientIdKey(p, externalId, clientEventId));
  }

  addEvent(e: StoredEvent): void {
    const r = this.entry(e, e.externalId);
    insertByTime(r.events, e);
    r.running?.added(e);
    if (e.clientEventId !== null) {
      this.eventsByClientId.set(clientIdKey(e, e.externalId, e.clientEventId), e);
    }
  }

  /** Takes back an event whose write failed (addEvent's undo). */
  removeEvent(e: StoredEvent): void {
    const r = this.records(e, e.externalId);
    const at = r ? r.events.lastIndexOf(e) : -1;
    if (r && at >= 0) {
      r.events.splice(at, 1);
      r.running?.removed(e);
    }
    if (e.clientEventId === null) return;
    const key = clientIdKey(e, e.externalId, e.clientEventId);
    if (this.eventsByClientId.get(key) === e) this.eventsByClientId.delete(key);
  }

  hasOfferId(p: Partition, id: string): boolean {
    return this.offerIds.get(partitionKey(p))?.has(id) ?? false;
  }

  addOffer(o: StoredOffer): void {
    this.entry(o, o.externalId).offers.push(o);
    const partition = partitionKey(o);
    let ids = this.offerIds.get(partition);
    if (!ids) {
      ids = new Set();
      this.offerIds.set(partition, ids);
    }
    ids.add(o.id);
  }
}
