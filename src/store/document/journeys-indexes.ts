import type { JourneyEvent, JourneyUser, Offer, Partition } from '../../domain/journeys/journey-types.js';
import { Interner } from './interner.js';

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

/**
 * In-memory indexes over the two documents, so that no request and no generation run
 * ever scans a whole collection. They point at the same objects the documents hold.
 */
export class JourneysIndexes {
  readonly users = new Map<string, StoredUser>();
  readonly usersByPartition = new Map<string, StoredUser[]>();
  readonly eventsByUser = new Map<string, StoredEvent[]>();
  readonly eventsByClientId = new Map<string, StoredEvent>();
  readonly offersByUser = new Map<string, StoredOffer[]>();
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
  }

  user(p: Partition, externalId: string): StoredUser | undefined {
    return this.users.get(userKey(p, externalId));
  }

  addUser(u: StoredUser): void {
    this.strings.fields(u, ['appId', 'environment', 'country', 'device', 'source', 'createdAt', 'updatedAt']);
    this.users.set(userKey(u, u.externalId), u);
    push(this.usersByPartition, partitionKey(u), u);
  }

  eventByClientId(p: Partition, clientEventId: string): StoredEvent | undefined {
    return this.eventsByClientId.get(scopedKey(p, clientEventId));
  }

  addEvent(e: StoredEvent): void {
    this.strings.fields(e, ['appId', 'environment', 'category', 'eventType', 'receivedAt']);
    this.shareExternalId(e);
    const key = userKey(e, e.externalId);
    const list = this.eventsByUser.get(key);
    if (list) insertByTime(list, e);
    else this.eventsByUser.set(key, [e]);
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
    this.shareExternalId(o);
    push(this.offersByUser, userKey(o, o.externalId), o);
    const partition = partitionKey(o);
    let byId = this.offersById.get(partition);
    if (!byId) {
      byId = new Map();
      this.offersById.set(partition, byId);
    }
    byId.set(o.id, o);
    if (o.status === 'active') this.active(o).add(o);
  }

  /** Points a record's externalId at its user's copy of the string. */
  private shareExternalId(r: StoredEvent | StoredOffer): void {
    const user = this.users.get(userKey(r, r.externalId));
    if (user) r.externalId = user.externalId;
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
