import { compareVersions } from './device.js';
import type { CatalogOffer, Platform } from './offer.js';
import type { OfferProgress } from './progress.js';

/** What is known about the request that an offer's own targeting is checked against. */
export interface Targeting {
  /** ISO2 from geo-IP; null when the address is private or unknown. */
  country: string | null;
  /** Null when neither `device` nor the user agent tells. */
  device: Platform | null;
  osVersion: string | null;
  bidFloor: number | null;
}

/** Why an offer is not served; `rule` reasons carry the rule id next to them. */
export type DropReason =
  | 'country'
  | 'platform'
  | 'os_version'
  | 'bid_floor'
  | 'cap'
  | 'completed'
  | 'rule_exclude'
  | 'rule_allow_list';

/**
 * The offer's own targeting: countries, platform, minimum OS version, the caller's
 * bid floor on the user reward, and the network's cap. Unknown request values
 * (no country, no device, no OS version) never widen country targeting but do not
 * filter on platform or OS version: the vendor asks server-side callers to pass them.
 */
export function targetingVerdict(offer: CatalogOffer, t: Targeting): DropReason | null {
  if (offer.countries.length > 0 && (t.country === null || !offer.countries.includes(t.country))) {
    return 'country';
  }
  if (offer.platform !== null && t.device !== null && offer.platform !== t.device) return 'platform';
  if (
    offer.min_os_version !== null &&
    t.osVersion !== null &&
    t.device === offer.platform &&
    compareVersions(t.osVersion, offer.min_os_version) < 0
  ) {
    return 'os_version';
  }
  if (t.bidFloor !== null && offer.total_user_reward < t.bidFloor) return 'bid_floor';
  if (offer.cap_remaining === 0) return 'cap';
  return null;
}

export function isCompleted(progress: OfferProgress | undefined): boolean {
  return progress?.status === 'completed';
}
