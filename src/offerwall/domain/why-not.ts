import type { DroppedOffer } from './decide.js';
import type { Targeting } from './eligibility.js';
import type { CatalogOffer } from './offer.js';

/** Why one offer is not served, with the clause that excluded it and both values it compared. */
export interface WhyNot extends DroppedOffer {
  clause: string;
  offerValue: unknown;
  requestValue: unknown;
  /** For rule reasons: the matched rule's conditions with the fact values seen. */
  because?: unknown;
}

/** The values behind each drop reason, for `explain` (never computed on the serving path). */
export function whyNot(
  dropped: readonly DroppedOffer[],
  offers: ReadonlyMap<number, CatalogOffer>,
  t: Targeting,
  ruleTraces: ReadonlyMap<string, unknown>,
): WhyNot[] {
  return dropped.map((d) => {
    const offer = offers.get(d.offerId);
    const detail = offer
      ? clauseOf(d, offer, t)
      : { clause: 'catalog', offerValue: null, requestValue: null };
    return d.ruleId ? { ...d, ...detail, because: ruleTraces.get(d.ruleId) } : { ...d, ...detail };
  });
}

function clauseOf(d: DroppedOffer, o: CatalogOffer, t: Targeting): Omit<WhyNot, keyof DroppedOffer> {
  switch (d.reason) {
    case 'country':
      return {
        clause: 'offer.countries includes request country',
        offerValue: o.countries,
        requestValue: t.country,
      };
    case 'platform':
      return {
        clause: 'offer.platform equals request device',
        offerValue: o.platform,
        requestValue: t.device,
      };
    case 'os_version':
      return {
        clause: 'request os_version >= offer.min_os_version',
        offerValue: o.min_os_version,
        requestValue: t.osVersion,
      };
    case 'bid_floor':
      return {
        clause: 'offer.total_user_reward >= bid_floor',
        offerValue: o.total_user_reward,
        requestValue: t.bidFloor,
      };
    case 'cap':
      return { clause: 'offer.cap_remaining > 0', offerValue: o.cap_remaining, requestValue: null };
    case 'completed':
      return { clause: 'completedOffers: hide', offerValue: 'completed', requestValue: null };
    case 'rule_exclude':
    case 'rule_allow_list':
      return {
        clause: `rule ${d.ruleId} (${d.reason === 'rule_exclude' ? 'exclude' : 'allowOnly'})`,
        offerValue: { offer_type: o.offer_type, category: o.category, platform: o.platform },
        requestValue: null,
      };
  }
}
