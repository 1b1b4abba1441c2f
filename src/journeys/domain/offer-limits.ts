import { isLive, type NewOffer, type Offer, type OfferLimits } from './journey-types.js';

export type LimitRejection = 'max_active' | 'type_active' | 'cooldown';

/**
 * Why `offer` may not join the user's `existing` offers now, or null. The same order
 * as the planner: one type at a time, then the cooldown, then the total. Every store
 * adapter calls this right before inserting, under its own atomicity (no await in
 * between, or a lock on the user).
 */
export function limitRejection(
  existing: readonly Pick<Offer, 'offerType' | 'status' | 'expiresAt' | 'createdAt'>[],
  offer: Pick<NewOffer, 'offerType' | 'notOfferedSince'>,
  limits: OfferLimits,
  now: Date,
): LimitRejection | null {
  const live = existing.filter((o) => isLive(o, now));
  if (live.filter((o) => o.offerType === offer.offerType).length >= limits.maxActivePerType)
    return 'type_active';
  const since = offer.notOfferedSince === null ? null : Date.parse(offer.notOfferedSince);
  if (
    since !== null &&
    existing.some((o) => o.offerType === offer.offerType && Date.parse(o.createdAt) > since)
  ) {
    return 'cooldown';
  }
  return live.length >= limits.maxActiveOffers ? 'max_active' : null;
}
