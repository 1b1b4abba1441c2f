import type { CatalogOffer } from './offer.js';

/**
 * An offer a feed sync took out of the catalog. It is no longer listed or clickable, but a
 * user who started it can still convert until its attribution window ends, and the network
 * then sends the postback (an outside probe saw those refused 404, and with them the
 * replays of postbacks already acknowledged): postbacks still find it here.
 */
export interface RetiredOffer {
  offer: CatalogOffer;
  /** When the sync that removed it ran. */
  retiredAt: string;
}

/**
 * At most this many retired offers are kept per wall, the most recently retired first. They
 * are stored with the catalog, rewritten at every sync: 10,000 (~12 MB) made a sync of a
 * 10,000-offer feed 3-9 times slower and stalled requests up to 5 s (focused probe).
 */
export const RETIRED_OFFERS_MAX = 1_000;

const DAY_MS = 86_400_000;

/** The longest attribution window of the offer and its events, in days. */
function attributionDays(offer: CatalogOffer): number {
  return Math.max(offer.attribution_window_days, ...offer.events.map((e) => e.attribution_window_days));
}

/** Whether a conversion at `atMs` still falls in the retired offer's attribution window. */
export function stillAttributable(retired: RetiredOffer, atMs: number): boolean {
  return atMs < Date.parse(retired.retiredAt) + attributionDays(retired.offer) * DAY_MS;
}

/**
 * The retired offers after a sync at `at` replaced the `previous` offers by `next`: the
 * previous offers `next` leaves out, retired now, then the earlier retired ones still in
 * their window and not back in `next`; bounded by RETIRED_OFFERS_MAX.
 */
export function retireAfterSync(
  previous: readonly CatalogOffer[],
  previousRetired: readonly RetiredOffer[],
  next: readonly CatalogOffer[],
  at: string,
): RetiredOffer[] {
  const live = new Set(next.map((o) => o.offer_id));
  const atMs = Date.parse(at);
  const retired = new Map<number, RetiredOffer>();
  for (const offer of previous)
    if (!live.has(offer.offer_id)) retired.set(offer.offer_id, { offer, retiredAt: at });
  const older = previousRetired
    .filter(
      (r) => !live.has(r.offer.offer_id) && !retired.has(r.offer.offer_id) && stillAttributable(r, atMs),
    )
    .sort((a, b) => Date.parse(b.retiredAt) - Date.parse(a.retiredAt));
  for (const r of older) retired.set(r.offer.offer_id, r);
  return [...retired.values()].slice(0, RETIRED_OFFERS_MAX);
}
