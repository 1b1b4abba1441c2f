import type { Ranking } from './domain/decide.js';
import type { CatalogOffer } from './domain/offer.js';
import { type ClickSigner, clickGroupIds } from './domain/signatures.js';
import type { WallInfo } from './offerwall-service.js';

export interface RenderOptions {
  wall: WallInfo;
  uid: string;
  sid3: string | null;
  /** Where clients reach offerd, e.g. `https://offers.example.com` (configured, never a request's Host). */
  baseUrl: string;
  /** Unix seconds from which the response's click links are refused. */
  exp: number;
  includeSortmetric: boolean;
  supportId: number;
  experimentId: string | null;
  bidFloor: number | null;
}

/** What the click links of one group of offers share: the ids they list and their one signature. */
export interface SignedClickGroup {
  offerIds: readonly number[];
  sig: string;
}

/** Signs the links of one group of consecutive offers (at most CLICK_GROUP), once for all of them. */
export function signClickGroup(
  o: RenderOptions,
  offerIds: readonly number[],
  signer: ClickSigner,
): SignedClickGroup {
  const ids = clickGroupIds(offerIds);
  const group = { wallId: o.wall.wallId, uid: o.uid, sid3: o.sid3, exp: o.exp, offerIds: ids };
  return { offerIds: ids, sig: signer.sign(group) };
}

/** An offer's catalog fields, the same for every user, in the contract's order. */
export function catalogFields(offer: CatalogOffer): Record<string, unknown> {
  return {
    offer_id: offer.offer_id,
    offer_name: offer.offer_name,
    headline: offer.headline,
    description: offer.description,
    offer_terms: offer.offer_terms,
    label: offer.label,
    category: offer.category,
    offer_type: offer.offer_type,
    total_user_reward: offer.total_user_reward,
    payout: offer.payout,
    attribution_window_days: offer.attribution_window_days,
    events: offer.events,
    platform: offer.platform,
    countries: offer.countries,
    min_os_version: offer.min_os_version,
    epc: offer.epc,
    tracking_delay: offer.tracking_delay,
    creatives: offer.creatives,
  };
}

/** The body's fields before `offers` (PersonalizedJson writes the body; test/helpers has the plain reference renderer). */
export function envelope(ranking: Ranking, o: RenderOptions): Record<string, unknown> {
  return {
    status: 'success',
    publisher_id: o.wall.publisherId,
    wall_id: o.wall.wallId,
    support_id: o.supportId,
    total: ranking.total,
    offset: 0,
    limit: ranking.offers.length,
    experiment_id: o.experimentId,
    bid_floor: o.bidFloor,
  };
}
