import { setImmediate as nextTurn } from 'node:timers/promises';
import type { CollectionFile } from '../../store/document/collection-file.js';
import { assertSerializable } from '../../store/document/serializable.js';
import type { NewOffer, Offer, OfferLimits, Partition } from '../domain/journey-types.js';
import { limitRejection } from '../domain/offer-limits.js';
import type { JourneysIndexes, JourneysShard } from './journeys-indexes.js';
import type { OfferRejection } from './journeys-store.js';
import { publicOffer, storedOffer } from './journeys-stored-records.js';

/** What createOffersByShard needs of the document store. */
export interface OfferShards {
  /** The indexes now: a failed shard write replaces them (see JourneysDocumentStore.reindex). */
  index(): JourneysIndexes;
  shardOf(p: Partition, externalId: string): CollectionFile<JourneysShard>;
}

/**
 * JourneysDocumentStore.createOffers, shard by shard: each shard's offers are checked,
 * inserted and committed in one synchronous step, then other work is let in. A generation
 * run hands over all its offers at once (offersPerCreate): as one step, 140,000 offers
 * (100,000 users, the bench's seeding) held the event loop for up to 14.9 s; shard by
 * shard the longest stall of the run was 2.5-4.2 s (load average 6-8; the opening check
 * and GC included). A user's offers share a shard, so each user's limits are checked in one step.
 */
export async function createOffersByShard(
  store: OfferShards,
  p: Partition,
  offers: readonly NewOffer[],
  limits: OfferLimits,
  now: Date,
): Promise<{ created: Offer[]; rejected: { offer: NewOffer; reason: OfferRejection }[] }> {
  assertSerializable('an offer', offers);
  const outcomes = new Array<Offer | OfferRejection>(offers.length);
  const byShard = new Map<CollectionFile<JourneysShard>, number[]>();
  offers.forEach((offer, i) => {
    const shard = store.shardOf(p, offer.externalId);
    const indexes = byShard.get(shard);
    if (indexes) indexes.push(i);
    else byShard.set(shard, [i]);
  });
  const commits: Promise<void>[] = [];
  for (const [shard, indexes] of byShard) {
    for (const i of indexes) outcomes[i] = insertOffer(store, p, offers[i] as NewOffer, limits, now);
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
function insertOffer(
  store: OfferShards,
  p: Partition,
  offer: NewOffer,
  limits: OfferLimits,
  now: Date,
): Offer | OfferRejection {
  const ix = store.index();
  const reason = rejection(ix, p, offer, limits, now);
  if (reason) return reason;
  const stored = storedOffer(p, offer);
  store.shardOf(p, offer.externalId).data.offers.push(stored);
  ix.addOffer(stored);
  return publicOffer(stored);
}

/** Why `offer` may not be inserted now, or null. Synchronous: the caller inserts right after. */
function rejection(
  ix: JourneysIndexes,
  p: Partition,
  offer: NewOffer,
  limits: OfferLimits,
  now: Date,
): OfferRejection | null {
  if (!ix.user(p, offer.externalId)) return 'unknown_user';
  if (ix.hasOfferId(p, offer.id)) return 'duplicate_id';
  return limitRejection(ix.offersOf(p, offer.externalId), offer, limits, now);
}
