import { setImmediate as nextTurn } from 'node:timers/promises';
import type { CollectionFile } from '../../store/document/collection-file.js';
import { exportDocuments, importDocuments } from '../../store/document/portable-documents.js';
import { assertSerializable } from '../../store/document/serializable.js';
import { ShardedCollection } from '../../store/document/sharded-collection.js';
import type { PortableRecord, PortableStore } from '../../store/portable.js';
import { JOURNEYS_COLLECTIONS } from '../../store/portable.js';
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
import { limitRejection } from '../domain/offer-limits.js';
import { journeysCollections } from './journeys-document-portable.js';
import {
  JourneysIndexes,
  type JourneysShard,
  type StoredEvent,
  type StoredOffer,
  type StoredUser,
  userKey,
} from './journeys-indexes.js';
import type {
  AppendedEvent,
  ClaimResult,
  JourneysStore,
  OfferRejection,
  UserActivity,
} from './journeys-store.js';
import {
  bareUser,
  merged,
  PATCHABLE,
  publicEvent,
  publicOffer,
  publicUser,
  storedOffer,
} from './journeys-stored-records.js';
import { migrateUnshardedJourneys } from './journeys-unsharded.js';

/**
 * Shard files (`journeys-00.json`...). Records are placed by the hash of their user's key,
 * so this number may never change without moving records (unlike the banner's shards).
 * At 100,000 users one shard is ~6 MB: a write stalls the event loop for one shard, not
 * for the whole 200 MB of activity (measured 1.4 s per write as one file).
 */
export const JOURNEYS_SHARDS = 32;

/**
 * The journeys store on shard files, each holding some users with all their events and
 * offers (see JourneysShard). Every check-and-write below runs without an await in
 * between, which is what makes the port's invariants hold under concurrent requests in
 * one process; the commit of the touched shards comes after. A batch of events of several
 * users touches several shards: each shard's write is atomic, the batch as a whole is not.
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

  private constructor(private readonly shards: ShardedCollection<JourneysShard>) {
    this.ix = this.index();
    // A failed write sets its shard back to the file: the indexes are rebuilt over all of
    // them (~1 s at 100,000 users, on a failing disk only).
    for (const shard of shards.shards)
      shard.onRestore(() => {
        this.ix = this.index();
      });
  }

  private index(): JourneysIndexes {
    this.ix = new JourneysIndexes(this.shards.shards.map((s) => s.data));
    this.repairUsers();
    return this.ix;
  }

  static async open(dir: string | null): Promise<JourneysDocumentStore> {
    const shards = await ShardedCollection.open<JourneysShard>(dir, 'journeys', JOURNEYS_SHARDS, () => ({
      users: [],
      events: [],
      offers: [],
    }));
    await migrateUnshardedJourneys(dir, shards, (r) => userKey(r, r.externalId));
    return new JourneysDocumentStore(shards);
  }

  get files(): CollectionFile<unknown>[] {
    return [...this.shards.shards] as CollectionFile<unknown>[];
  }

  /** The shard of one user's records. */
  private shardOf(p: Partition, externalId: string): CollectionFile<JourneysShard> {
    return this.shards.shardFor(userKey(p, externalId));
  }

  async upsertUser(p: Partition, patch: UserPatch, now: Date, newId: () => string) {
    const at = now.toISOString();
    let user = this.ix.user(p, patch.externalId);
    const created = !user;
    // The user's new values, checked before anything changes (see assertSerializable).
    const fields = Object.fromEntries(
      PATCHABLE.filter((k) => patch[k] !== undefined).map((k) => [k, patch[k]]),
    );
    const tags = merged(user?.tags ?? {}, patch.tags);
    const metadata = merged(user?.metadata ?? {}, patch.metadata);
    assertSerializable('the user', [patch.externalId, fields, tags, metadata]);
    if (!user) {
      user = this.newUser(p, patch.externalId, at, newId());
    }
    Object.assign(user, fields);
    user.tags = tags;
    user.metadata = metadata;
    user.updatedAt = at;
    const result = { user: publicUser(user), created };
    await this.shardOf(p, patch.externalId).commit();
    return result;
  }

  async getUser(p: Partition, externalId: string): Promise<JourneyUser | null> {
    const user = this.ix.user(p, externalId);
    return user ? publicUser(user) : null;
  }

  async appendEvents(
    p: Partition,
    events: readonly NewEvent[],
    now: Date,
    newUserId: () => string,
  ): Promise<AppendedEvent[]> {
    const at = now.toISOString();
    // All or none: a batch with one event that cannot be stored changes nothing.
    assertSerializable('an event', events);
    const touched = new Set<CollectionFile<JourneysShard>>();
    const results = events.map((e): AppendedEvent => {
      const known = e.clientEventId === null ? undefined : this.ix.eventByClientId(p, e.clientEventId);
      if (known) return { event: publicEvent(known), duplicate: true };
      if (!this.ix.user(p, e.externalId)) this.newUser(p, e.externalId, at, newUserId());
      // Object.assign, not a spread plus new keys: see withSegments in offerwall-service.ts
      // (the body had its prototype-polluting keys refused at the edge).
      const stored: StoredEvent = Object.assign({}, e, {
        receivedAt: at,
        appId: p.appId,
        environment: p.environment,
      });
      const shard = this.shardOf(p, e.externalId);
      shard.data.events.push(stored);
      this.ix.addEvent(stored);
      touched.add(shard);
      return { event: publicEvent(stored), duplicate: false };
    });
    await this.shards.commit(touched);
    return results;
  }

  async userEvents(p: Partition, externalId: string): Promise<JourneyEvent[]> {
    return this.ix.eventsOf(p, externalId).map(publicEvent);
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
    const offer = this.ix.offersOf(p, externalId).find((o) => o.id === offerId);
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
    const shard = this.shardOf(p, externalId);
    shard.data.events.push(event);
    this.ix.addEvent(event);
    const result = { ok: true as const, offer: publicOffer(offer), event: publicEvent(event) };
    await shard.commit();
    return result;
  }

  async expireDue(p: Partition, now: Date): Promise<Offer[]> {
    const due: StoredOffer[] = [];
    for (const offers of this.ix.offerLists(p)) {
      for (const o of offers) if (o.status === 'active' && !isLive(o, now)) due.push(o);
    }
    for (const o of due) o.status = 'expired';
    const expired = due.map(publicOffer);
    await this.shards.commit(due.map((o) => this.shardOf(p, o.externalId)));
    return expired;
  }

  async *scanUsers(p: Partition, batchSize: number): AsyncIterable<UserActivity[]> {
    // A copy of the list: users created during the scan do not disturb it.
    const users = this.ix.usersOf(p);
    for (let i = 0; i < users.length; i += batchSize) {
      yield users.slice(i, i + batchSize).map((user) => ({
        user,
        events: this.ix.eventsOf(p, user.externalId),
        offers: this.ix.offersOf(p, user.externalId),
      }));
    }
  }

  /**
   * Shard by shard: each shard's offers are checked, inserted and committed in one
   * synchronous step, then other work is let in. A generation run hands over all its
   * offers at once (offersPerCreate): as one step, 140,000 offers (100,000 users, the
   * bench's seeding) held the event loop for up to 14.9 s; shard by shard the longest
   * stall of the run was 2.5-4.2 s (load average 6-8; the opening check and GC included).
   * A user's offers share a shard, so each user's limits are checked in one step.
   */
  async createOffers(p: Partition, offers: readonly NewOffer[], limits: OfferLimits, now: Date) {
    assertSerializable('an offer', offers);
    const outcomes = new Array<Offer | OfferRejection>(offers.length);
    const byShard = new Map<CollectionFile<JourneysShard>, number[]>();
    offers.forEach((offer, i) => {
      const shard = this.shardOf(p, offer.externalId);
      const indexes = byShard.get(shard);
      if (indexes) indexes.push(i);
      else byShard.set(shard, [i]);
    });
    const commits: Promise<void>[] = [];
    for (const [shard, indexes] of byShard) {
      for (const i of indexes) outcomes[i] = this.insertOffer(p, offers[i] as NewOffer, limits, now);
      const commit = shard.commit();
      // Awaited below; handled now so that a failure during a later step is not unhandled.
      commit.catch(() => {});
      commits.push(commit);
      await nextTurn();
    }
    await Promise.all(commits);
    const created: Offer[] = [];
    const rejected: { offer: NewOffer; reason: OfferRejection }[] = [];
    outcomes.forEach((o, i) => {
      if (typeof o === 'string') rejected.push({ offer: offers[i] as NewOffer, reason: o });
      else created.push(o);
    });
    return { created, rejected };
  }

  /** Checks and inserts one offer (synchronously: nothing may come in between). */
  private insertOffer(p: Partition, offer: NewOffer, limits: OfferLimits, now: Date): Offer | OfferRejection {
    const reason = this.rejection(p, offer, limits, now);
    if (reason) return reason;
    const stored = storedOffer(p, offer);
    this.shardOf(p, offer.externalId).data.offers.push(stored);
    this.ix.addOffer(stored);
    return publicOffer(stored);
  }

  /** Why `offer` may not be inserted now, or null. Synchronous: the caller inserts right after. */
  private rejection(p: Partition, offer: NewOffer, limits: OfferLimits, now: Date): OfferRejection | null {
    if (!this.ix.user(p, offer.externalId)) return 'unknown_user';
    if (this.ix.hasOfferId(p, offer.id)) return 'duplicate_id';
    return limitRejection(this.ix.offersOf(p, offer.externalId), offer, limits, now);
  }

  exportRecords(collection: string): AsyncIterable<PortableRecord[]> {
    return exportDocuments(this.portableCollections(), collection);
  }

  importRecords(collection: string, records: readonly PortableRecord[]): Promise<void> {
    return importDocuments(this.portableCollections(), collection, records);
  }

  private portableCollections() {
    return journeysCollections(this.shards.shards, (r) => this.shardOf(r, r.externalId), this.ix);
  }

  private newUser(p: Partition, externalId: string, at: string, id: string): StoredUser {
    const user = bareUser(p, externalId, at, id);
    this.shardOf(p, externalId).data.users.push(user);
    this.ix.addUser(user);
    return user;
  }

  /**
   * Stores written before the shards kept users and events in two files written
   * separately: a crash between the writes of a first event could leave events whose user
   * was not saved. Such users are recreated here, bare, dated by their first event; the
   * next write of their shard persists them.
   */
  private repairUsers(): void {
    for (const events of this.ix.eventLists()) {
      const first = events[0];
      if (first && !this.ix.user(first, first.externalId)) {
        this.newUser(first, first.externalId, first.occurredAt, crypto.randomUUID());
      }
    }
  }
}
