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

/**
 * In-memory indexes over the shards, so that no request and no generation run ever
 * scans a whole collection. They point at the same objects the documents hold.
 * A user's profile, events and offers hang off one entry under one key.
 */
export class JourneysIndexes {
  private readonly byUser = new Map<string, UserRecords>();
  readonly usersByPartition = new Map<string, StoredUser[]>();
  readonly eventsByClientId = new Map<string, StoredEvent>();
  /** Per partition, by the offer's own id string (a composite key per offer cost ~14 MB at 240,000 offers). */
  private readonly offersById = new Map<string, Map<string, StoredOffer>>();
  /** Offers whose status is `active`, per partition: what expireDue looks at. */
  readonly activeByPartition = new Map<string, Set<StoredOffer>>();

  constructor(shards: readonly JourneysShard[]) {
    for (const s of shards) for (const u of s.users) this.addUser(u);
    for (const s of shards) for (const e of s.events) this.addEvent(e);
    for (const s of shards) for (const o of s.offers) this.addOffer(o);
    // A list grown record by record keeps spare room (17 slots after the first push): the
    // loaded ones are copied to their exact length: at 100,000 users the ready service's heap
    // was 303 MB used instead of 323, RSS 520 MB instead of 549 after 20 s of banner load
    // (bench/service-memory.ts).
    for (const r of this.byUser.values()) {
      r.events = r.events.slice();
      r.offers = r.offers.slice();
    }
  }

  private entry(p: Partition, externalId: string): UserRecords {
    const key = userKey(p, externalId);
    let r = this.byUser.get(key);
    if (!r) {
      r = { user: undefined, events: [], offers: [] };
      this.byUser.set(key, r);
    }
    return r;
  }

  user(p: Partition, externalId: string): StoredUser | undefined {
    return this.byUser.get(userKey(p, externalId))?.user;
  }

  /** The user's events in occurredAt order (ties by arrival); read only. */
  eventsOf(p: Partition, externalId: string): readonly StoredEvent[] {
    return this.byUser.get(userKey(p, externalId))?.events ?? [];
  }

  /** The user's offers in creation order; read only. */
  offersOf(p: Partition, externalId: string): readonly StoredOffer[] {
    return this.byUser.get(userKey(p, externalId))?.offers ?? [];
  }

  /** The events of every user that has some (one list per user). */
  *eventLists(): Iterable<readonly StoredEvent[]> {
    for (const r of this.byUser.values()) if (r.events.length > 0) yield r.events;
  }

  addUser(u: StoredUser): void {
    this.entry(u, u.externalId).user = u;
    push(this.usersByPartition, partitionKey(u), u);
  }

  eventByClientId(p: Partition, clientEventId: string): StoredEvent | undefined {
    return this.eventsByClientId.get(scopedKey(p, clientEventId));
  }

  addEvent(e: StoredEvent): void {
    const r = this.entry(e, e.externalId);
    insertByTime(r.events, e);
    if (e.clientEventId !== null) this.eventsByClientId.set(scopedKey(e, e.clientEventId), e);
  }

  offer(p: Partition, id: string): StoredOffer | undefined {
    return this.offersById.get(partitionKey(p))?.get(id);
  }

  addOffer(o: StoredOffer): void {
    const r = this.entry(o, o.externalId);
    r.offers.push(o);
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
