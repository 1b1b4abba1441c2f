import type { RankedOffer, Ranking } from '../../domain/offerwall/decide.js';
import type { CatalogOffer } from '../../domain/offerwall/offer.js';
import { CLICK_GROUP, ClickSigner, clickGroupIds } from '../../domain/offerwall/signatures.js';
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

/**
 * The complete, user-specific tracking link of one offer of `group`: offerd's click
 * endpoint, valid until `exp`, with the group's ids and signature.
 */
export function clickUrl(o: RenderOptions, offerId: number, group: SignedClickGroup): string {
  const head = new URLSearchParams({ wall: String(o.wall.wallId), uid: o.uid, offer: String(offerId) });
  const tail = new URLSearchParams();
  if (o.sid3 !== null) tail.set('sid3', o.sid3);
  tail.set('exp', String(o.exp));
  tail.set('sig', group.sig);
  // Digits and commas need no escaping (URLSearchParams would write each comma as %2C).
  return `${o.baseUrl}/api/v1/click?${head}&offers=${group.offerIds.join(',')}&${tail}`;
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

/** What the response says about this user and offer, after the catalog fields. */
function userFields(r: RankedOffer, o: RenderOptions, url: string): Record<string, unknown> {
  const status = r.progress?.status ?? null;
  return {
    click_url: url,
    eligible: r.eligible,
    in_progress: status === 'in_progress',
    user_completed: status === 'completed',
    score: r.score,
    hot_offers_order: r.rank,
    user_status: status,
    ...(o.includeSortmetric ? { sortmetric: r.metric, conversion_rate: r.offer.conversion_rate } : {}),
  };
}

function renderOffer(r: RankedOffer, o: RenderOptions, group: SignedClickGroup): Record<string, unknown> {
  return { ...catalogFields(r.offer), ...userFields(r, o, clickUrl(o, r.offer.offer_id, group)) };
}

/** The body's fields before `offers`. */
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

/** The 200 body of the personalized endpoint, in the contract's field order. */
export function renderPersonalized(ranking: Ranking, o: RenderOptions): Record<string, unknown> {
  const signer = new ClickSigner(o.wall.secrets.clickSecret);
  const ids = ranking.offers.map((r) => r.offer.offer_id);
  const groups: SignedClickGroup[] = [];
  for (let start = 0; start < ids.length; start += CLICK_GROUP) {
    groups.push(signClickGroup(o, ids.slice(start, start + CLICK_GROUP), signer));
  }
  const offers = ranking.offers.map((r, n) =>
    renderOffer(r, o, groups[Math.floor(n / CLICK_GROUP)] as SignedClickGroup),
  );
  return { ...envelope(ranking, o), offers };
}
