import type { CollectionFile } from '../../store/document/collection-file.js';
import type { JsonLinesLog } from '../../store/document/json-lines-log.js';
import { exportDocuments, importDocuments } from '../../store/document/portable-documents.js';
import { assertSerializable } from '../../store/document/serializable.js';
import { ShardedCollection } from '../../store/document/sharded-collection.js';
import type { PortableRecord, PortableStore } from '../../store/portable.js';
import { JOURNEYS_COLLECTIONS } from '../../store/portable.js';
import { WritesUnderWay } from '../../store/writes-under-way.js';
import {
  isLive,
  type JourneyEvent,
  type JourneyUser,
  type NewEvent,
  type NewOffer,
  type Offer,
  type OfferLimits,
  type Partition,
  type UserPatch,
} from '../domain/journey-types.js';
import type { EventTotals } from '../domain/profile-aggregates.js';
import { checkUserBounds } from '../domain/user-bounds.js';
import { appendEventsToLog } from './journeys-document-events.js';
import { createOffersByShard } from './journeys-document-offers.js';
import { journeysCollections } from './journeys-document-portable.js';
import { type EventLine, openEventLog } from './journeys-event-log.js';
import {
  JourneysIndexes,
  type JourneysShard,
  type StoredEvent,
  type StoredOffer,
  type StoredUser,
  userKey,
} from './journeys-indexes.js';
import type { AppendedEvent, ClaimResult, JourneysStore, UserActivity } from './journeys-store.js';
import {
  bareUser,
  merged,
  PATCHABLE,
  publicEvent,
  publicOffer,
  publicUser,
  shareEmptyFields,
} from './journeys-stored-records.js';
import { migrateUnshardedJourneys } from './journeys-unsharded.js';

/**
 * Shard files (`journeys-00.json`...). Records are placed by the hash of their user's key;
 * a store written with another count has its records moved on open (ShardedCollection's
 * rehome). A user upsert or a claim rewrites its shard: at 100,000 users (140 MB of users
 * and offers) 32 shards of ~4.4 MB cost 52 ms of CPU per upsert with event-loop stalls of
 * 435 ms (.tmp/jclaim-cost.ts, 20 concurrent); 512 shards of ~270 KB cost 3.1 ms and a
 * 36 ms stall. Moving a 32-shard store takes one longer open (bench world: 12.3 s once,
 * then 6.1 s).
 */
export const JOURNEYS_SHARDS = 512;

/**
 * The journeys store on shard files, each holding some users with their offers (see
 * JourneysShard), and the events log (see EventLine). Every check-and-write below runs
 * without an await in between, which is what makes the port's invariants hold under
 * concurrent requests in one process; the writes come after.
 */
export class JourneysDocumentStore implements JourneysStore, PortableStore {
  readonly collections = JOURNEYS_COLLECTIONS;
  /**
   * All of a generation run's offers in one call: every call rewrites each shard it
   * touches whole, and a batch of 5,000 offers touches all 32, so batches made a run's
   * writes grow with users × offers (bench/journeys-generation.ts, 100,000 users, first
   * run: 147.5 s with batches of 5,000, 32.3 s in one call; load average 6-8 on 2 cores).
   * The offers are held in memory anyway.
   */
  readonly offersPerCreate = Number.POSITIVE_INFINITY;
  private ix: JourneysIndexes;
  /** Events held in a shard's data (claims since open): the rest are the log's. */
  private readonly inShards = new WeakSet<StoredEvent>();
  /** A user being created, an event being written (see appendEventsToLog), an offer being claimed. */
  readonly writing = new WritesUnderWay();

  private constructor(
    private readonly shards: ShardedCollection<JourneysShard>,
    readonly eventLog: JsonLinesLog<EventLine>,
    logged: readonly StoredEvent[],
  ) {
    for (const shard of shards.shards) shareEmptyFields(shard.data);
    this.ix = new JourneysIndexes(
      shards.shards.map((s) => s.data),
      logged,
    );
    // A failed write sets its shard back to the file: the indexes are rebuilt over all of
    // them (~1 s at 100,000 users, on a failing disk only).
    for (const shard of shards.shards) shard.onRestore(() => this.reindex());
  }

  /** The indexes again over the shards as they are and the log's events (which stay in memory only). */
  private reindex(): void {
    const logged = [...this.ix.allEvents()].filter((e) => !this.inShards.has(e));
    for (const s of this.shards.shards) for (const e of s.data.events) this.inShards.add(e);
    for (const s of this.shards.shards) shareEmptyFields(s.data);
    this.ix = new JourneysIndexes(
      this.shards.shards.map((s) => s.data),
      logged,
    );
  }

  static async open(dir: string | null): Promise<JourneysDocumentStore> {
    const shards = await ShardedCollection.open<JourneysShard>(dir, 'journeys', JOURNEYS_SHARDS, () => ({
      users: [],
      events: [],
      offers: [],
    }));
    await migrateUnshardedJourneys(dir, shards, (r) => userKey(r, r.externalId));
    const { log, events } = await openEventLog(dir, shards);
    const key = (r: StoredUser | StoredOffer | StoredEvent) => userKey(r, r.externalId);
    await shards.rehome<StoredUser | StoredOffer | StoredEvent>([
      { of: (d) => d.users, key },
      { of: (d) => d.offers, key, id: (o) => `${key(o)}\u0000${o.id}` },
      { of: (d) => d.events, key, id: (e) => `${key(e)}\u0000${e.id}` },
    ]);
    const store = new JourneysDocumentStore(shards, log, events);
    await store.repairUsers();
    return store;
  }

  get files(): CollectionFile<unknown>[] {
    return [...this.shards.shards] as CollectionFile<unknown>[];
  }

  /** The indexes now (helpers hold the store, not these: a failed write replaces them). */
  index(): JourneysIndexes {
    return this.ix;
  }

  /** The shard of one user's records. */
  shardOf(p: Partition, externalId: string): CollectionFile<JourneysShard> {
    return this.shards.shardFor(userKey(p, externalId));
  }

  async upsertUser(p: Partition, patch: UserPatch, now: Date, newId: () => string) {
    const at = now.toISOString();
    let user = this.ix.user(p, patch.externalId);
    const created = !user;
    // The user's new values, checked before anything changes (see assertSerializable and
    // checkUserBounds): a refused patch leaves the stored user as it was.
    const fields = Object.fromEntries(
      PATCHABLE.filter((k) => patch[k] !== undefined).map((k) => [k, patch[k]]),
    );
    const tags = merged(user?.tags ?? {}, patch.tags);
    const metadata = merged(user?.metadata ?? {}, patch.metadata);
    assertSerializable('the user', [patch.externalId, fields, tags, metadata]);
    checkUserBounds(user ?? null, patch, { tags, metadata });
    if (!user) {
      user = this.newUser(p, patch.externalId, at, newId());
    }
    Object.assign(user, fields);
    user.tags = tags;
    user.metadata = metadata;
    user.updatedAt = at;
    const result = { user: publicUser(user), created };
    const commit = this.shardOf(p, patch.externalId).commit();
    // A new user's events are written only once the user is (see appendEvents).
    await (created ? this.writing.track(user, commit) : commit);
    return result;
  }

  async getUser(p: Partition, externalId: string): Promise<JourneyUser | null> {
    const user = this.ix.user(p, externalId);
    return user ? publicUser(user) : null;
  }

  /** See appendEventsToLog. */
  appendEvents(
    p: Partition,
    events: readonly NewEvent[],
    now: Date,
    newUserId: () => string,
  ): Promise<AppendedEvent[]> {
    return appendEventsToLog(this, p, events, now, newUserId);
  }

  async userEvents(p: Partition, externalId: string): Promise<JourneyEvent[]> {
    return this.ix.eventsOf(p, externalId).map(publicEvent);
  }

  async eventTotals(p: Partition, externalId: string, now: Date): Promise<EventTotals> {
    return this.ix.totalsOf(p, externalId, now);
  }

  async timeline(p: Partition, externalId: string, page: { offset: number; limit: number }) {
    const all = this.ix.eventsOf(p, externalId);
    const end = Math.max(0, all.length - page.offset);
    const start = Math.max(0, end - page.limit);
    return { events: all.slice(start, end).reverse().map(publicEvent), total: all.length };
  }

  async userOffers(p: Partition, externalId: string): Promise<Offer[]> {
    return this.ix.offersOf(p, externalId).map(publicOffer);
  }

  async claimOffer(
    p: Partition,
    externalId: string,
    offerId: string,
    now: Date,
    claimEvent: (offer: Offer) => NewEvent,
  ): Promise<ClaimResult> {
    const find = () => this.ix.offersOf(p, externalId).find((o) => o.id === offerId);
    let offer = find();
    // A retry meeting its first try's claim still being written is told "already claimed"
    // only once that claim is on disk (a kill before it would take the claim and its points).
    for (
      let wait = offer && this.writing.underWay([offer]);
      wait;
      wait = offer && this.writing.underWay([offer])
    ) {
      await wait;
      offer = find();
    }
    if (!offer) return { ok: false, reason: 'not_found' };
    if (offer.status === 'claimed') return { ok: false, reason: 'not_active' };
    if (!isLive(offer, now)) return { ok: false, reason: 'expired' };
    const claimedAt = now.toISOString();
    // The event is built (and checked) from the claimed offer before the offer changes.
    const event: StoredEvent = {
      ...claimEvent(Object.assign(publicOffer(offer), { status: 'claimed' as const, claimedAt })),
      receivedAt: claimedAt,
      appId: p.appId,
      environment: p.environment,
    };
    assertSerializable('the claim event', event);
    offer.status = 'claimed';
    offer.claimedAt = claimedAt;
    // The event goes with its offer into the shard, one atomic write: never an offer
    // claimed without its points, nor points for an offer still open. It moves to the
    // events log on the next open (openEventLog); claims are rare next to events.
    const shard = this.shardOf(p, externalId);
    shard.data.events.push(event);
    this.inShards.add(event);
    this.ix.addEvent(event);
    const result = { ok: true as const, offer: publicOffer(offer), event: publicEvent(event) };
    const written = shard.commit();
    this.writing.track(offer, written);
    await this.writing.track(event, written);
    return result;
  }

  async expireDue(p: Partition, now: Date): Promise<Record<string, number>> {
    const due: StoredOffer[] = [];
    for (const offers of this.ix.offerLists(p)) {
      for (const o of offers) if (o.status === 'active' && !isLive(o, now)) due.push(o);
    }
    const byType: Record<string, number> = {};
    for (const o of due) {
      o.status = 'expired';
      byType[o.offerType] = (byType[o.offerType] ?? 0) + 1;
    }
    await this.shards.commit(due.map((o) => this.shardOf(p, o.externalId)));
    return byType;
  }

  async *scanUsers(p: Partition, batchSize: number, now: Date): AsyncIterable<UserActivity[]> {
    // A copy of the list: users created during the scan do not disturb it.
    const users = this.ix.usersOf(p);
    for (let i = 0; i < users.length; i += batchSize) {
      yield users.slice(i, i + batchSize).map((user) => ({
        user,
        totals: this.ix.totalsOf(p, user.externalId, now),
        offers: this.ix.offersOf(p, user.externalId),
      }));
    }
  }

  /** Shard by shard, letting other work in between (see createOffersByShard). */
  createOffers(p: Partition, offers: readonly NewOffer[], limits: OfferLimits, now: Date) {
    return createOffersByShard(this, p, offers, limits, now);
  }

  exportRecords(collection: string): AsyncIterable<PortableRecord[]> {
    return exportDocuments(this.portableCollections(), collection);
  }

  importRecords(collection: string, records: readonly PortableRecord[]): Promise<void> {
    return importDocuments(this.portableCollections(), collection, records);
  }

  private portableCollections() {
    return journeysCollections(
      this.shards.shards,
      (r) => this.shardOf(r, r.externalId),
      this.ix,
      this.eventLog,
    );
  }

  /** Adds a bare user to its shard's data and the indexes (not written). */
  newUser(p: Partition, externalId: string, at: string, id: string): StoredUser {
    const user = bareUser(p, externalId, at, id);
    this.shardOf(p, externalId).data.users.push(user);
    this.ix.addUser(user);
    return user;
  }

  /**
   * Stores written before the shards kept users and events in two files written
   * separately: a crash between the writes of a first event could leave events whose user
   * was not saved. Such users are recreated here, bare, dated by their first event, and
   * saved (the events log is written only after its new users, see appendEvents).
   */
  private async repairUsers(): Promise<void> {
    const touched = new Set<CollectionFile<JourneysShard>>();
    for (const events of this.ix.eventLists()) {
      const first = events[0];
      if (first && !this.ix.user(first, first.externalId)) {
        this.newUser(first, first.externalId, first.occurredAt, crypto.randomUUID());
        touched.add(this.shardOf(first, first.externalId));
      }
    }
    await this.shards.commit(touched);
  }
}
