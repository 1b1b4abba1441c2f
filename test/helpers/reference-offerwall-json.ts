import type { RankedOffer, Ranking } from '../../src/offerwall/domain/decide.js';
import { CLICK_GROUP, ClickSigner } from '../../src/offerwall/domain/signatures.js';
import {
  catalogFields,
  envelope,
  type RenderOptions,
  type SignedClickGroup,
  signClickGroup,
} from '../../src/offerwall/offerwall-response.js';

/*
 * The plain reference renderer of the personalized body: the oracle the fast writer
 * (src/offerwall/personalized-json.ts) is checked against, byte for byte, in
 * test/offerwall/offerwall-json.test.ts. It lives with the tests: the service
 * never runs it.
 */

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
