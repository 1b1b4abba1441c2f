import { Interner } from '../../store/document/interner.js';
import type { JourneyEvent, JourneyUser, Offer, Partition } from '../domain/journey-types.js';

/** What the JSON files hold: every record carries its partition. */
export type StoredUser = JourneyUser & Partition;
export type StoredEvent = JourneyEvent & Partition;
export type StoredOffer = Offer & Partition;

/**
 * One shard file: the users whose key hashes to it, with all their events and offers, so
 * that every write about one user (a first event and its new user, a claim and its event)
 * is one atomic file write.
 */
export interface JourneysShard {
  users: StoredUser[];
  events: StoredEvent[];
  offers: StoredOffer[];
}

const SEP = '\u0000';
export const partitionKey = (p: Partition): string => `${p.appId}${SEP}${p.environment}`;
export const userKey = (p: Partition, externalId: string): string => `${partitionKey(p)}${SEP}${externalId}`;
const scopedKey = (p: Partition, id: string): string => `${partitionKey(p)}${SEP}${id}`;

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Inserts `e` after every event that did not happen later: occurredAt order, ties by arrival. */
function insertByTime(list: StoredEvent[], e: StoredEvent): void {
  const at = Date.parse(e.occurredAt);
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
}

/** The lists of a user without events or offers: never written to (see listWith). */
const NONE: never[] = [];

/** `list` with `value` added by `add`; a user's first record replaces the shared NONE. */
function listWith<T>(list: T[], value: T, add: (list: T[], value: T) => void): T[] {
  if (list === NONE) return [value];
  add(list, value);
  return list;
}

const append = <T>(list: T[], value: T): void => {
  list.push(value);
};

/**
 * In-memory indexes over the shards, so that no request and no generation run ever
 * scans a whole collection. They point at the same objects the documents hold.
 * A user's profile, events and offers hang off one entry under one key: three maps
 * keyed by user held three copies of every key and three map entries per user. With the
 * exact-length lists below, the heap of a 100,000-user store went from 344 to 301 MB.
 */
export class JourneysIndexes {
  private readonly byUser = new Map<string, UserRecords>();
  readonly usersByPartition = new Map<string, StoredUser[]>();
  readonly eventsByClientId = new Map<string, StoredEvent>();
  /** Per partition, by the offer's own id string (a composite key per offer cost ~14 MB at 240,000 offers). */
  private readonly offersById = new Map<string, Map<string, StoredOffer>>();
  /** Offers whose status is `active`, per partition: what expireDue looks at. */
  readonly activeByPartition = new Map<string, Set<StoredOffer>>();
  /** Values many records repeat (categories, offer texts, a run's times) are kept once. */
  private readonly strings = new Interner();

  constructor(shards: readonly JourneysShard[]) {
    // Users first: events and offers share their user's externalId string.
    for (const s of shards) for (const u of s.users) this.addUser(u);
    for (const s of shards) for (const e of s.events) this.addEvent(e);
    for (const s of shards) for (const o of s.offers) this.addOffer(o);
    // A list grown by push keeps spare room (17 slots after the second record): loaded
    // lists are copied to their exact length.
    for (const r of this.byUser.values()) {
      if (r.events !== NONE) r.events = r.events.slice();
      if (r.offers !== NONE) r.offers = r.offers.slice();
    }
  }

  private entry(p: Partition, externalId: string): UserRecords {
    const key = userKey(p, externalId);
    let r = this.byUser.get(key);
    if (!r) {
      r = { user: undefined, events: NONE, offers: NONE };
      this.byUser.set(key, r);
    }
    return r;
  }

  user(p: Partition, externalId: string): StoredUser | undefined {
    return this.byUser.get(userKey(p, externalId))?.user;
  }

  /** The user's events in occurredAt order (ties by arrival); read only. */
  eventsOf(p: Partition, externalId: string): readonly StoredEvent[] {
    return this.byUser.get(userKey(p, externalId))?.events ?? NONE;
  }

  /** The user's offers in creation order; read only. */
  offersOf(p: Partition, externalId: string): readonly StoredOffer[] {
    return this.byUser.get(userKey(p, externalId))?.offers ?? NONE;
  }

  /** The events of every user that has some (one list per user). */
  *eventLists(): Iterable<readonly StoredEvent[]> {
    for (const r of this.byUser.values()) if (r.events.length > 0) yield r.events;
  }

  addUser(u: StoredUser): void {
    this.strings.fields(u, ['appId', 'environment', 'country', 'device', 'source', 'createdAt', 'updatedAt']);
    // Replaced whole by upsertUser (never changed in place), so users can share equal ones.
    u.tags = this.strings.object(u.tags);
    u.metadata = this.strings.object(u.metadata);
    this.entry(u, u.externalId).user = u;
    push(this.usersByPartition, partitionKey(u), u);
  }

  eventByClientId(p: Partition, clientEventId: string): StoredEvent | undefined {
    return this.eventsByClientId.get(scopedKey(p, clientEventId));
  }

  addEvent(e: StoredEvent): void {
    this.strings.fields(e, ['appId', 'environment', 'category', 'eventType', 'receivedAt']);
    e.metadata = this.strings.object(e.metadata);
    const r = this.entry(e, e.externalId);
    if (r.user) e.externalId = r.user.externalId;
    r.events = listWith(r.events, e, insertByTime);
    if (e.clientEventId !== null) this.eventsByClientId.set(scopedKey(e, e.clientEventId), e);
  }

  offer(p: Partition, id: string): StoredOffer | undefined {
    return this.offersById.get(partitionKey(p))?.get(id);
  }

  addOffer(o: StoredOffer): void {
    this.strings.fields(o, [
      'appId',
      'environment',
      'offerType',
      'gameType',
      'title',
      'description',
      'status',
      'createdAt',
      'expiresAt',
    ]);
    o.metadata = this.strings.object(o.metadata);
    const r = this.entry(o, o.externalId);
    if (r.user) o.externalId = r.user.externalId;
    r.offers = listWith(r.offers, o, append);
    const partition = partitionKey(o);
    let byId = this.offersById.get(partition);
    if (!byId) {
      byId = new Map();
      this.offersById.set(partition, byId);
    }
    byId.set(o.id, o);
    if (o.status === 'active') this.active(o).add(o);
  }

  /** Records a status change made in place on `o`. */
  statusChanged(o: StoredOffer): void {
    if (o.status === 'active') this.active(o).add(o);
    else this.active(o).delete(o);
  }

  private active(p: Partition): Set<StoredOffer> {
    const key = partitionKey(p);
    let set = this.activeByPartition.get(key);
    if (!set) {
      set = new Set();
      this.activeByPartition.set(key, set);
    }
    return set;
  }
}
