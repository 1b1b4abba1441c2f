/** Platforms an offer can target and a request can come from. */
export type Platform = 'desktop' | 'ios' | 'android';

export const PLATFORMS: readonly Platform[] = ['desktop', 'ios', 'android'];

/** One reward step of an offer; the first step's id is `base`. */
export interface OfferEvent {
  event_id: string;
  name: string;
  user_reward: number;
  payout: number;
  conversion_type: number;
  attribution_window_days: number;
}

export interface Creative {
  url: string;
  width?: number;
  height?: number;
  type?: string;
}

/**
 * An offer as the vendor's Get Offers API describes it (content, categorization,
 * rewards), plus the targeting and performance fields offerd ranks and filters on.
 */
export interface CatalogOffer {
  offer_id: number;
  offer_name: string;
  headline: string;
  description: string;
  offer_terms: string;
  label: string;
  category: string;
  offer_type: number;
  total_user_reward: number;
  payout: number;
  attribution_window_days: number;
  events: OfferEvent[];
  /** Null: any platform. */
  platform: Platform | null;
  /** ISO 3166-1 alpha-2 codes; empty: every country. */
  countries: string[];
  /** Minimum OS version on the offer's platform, e.g. "15.0"; null: none. */
  min_os_version: string | null;
  epc: number;
  conversion_rate: number;
  tracking_delay: string;
  creatives: Creative[];
  /** The advertiser's landing URL; `{uid}` and `{sid3}` are filled in on redirect. */
  click_url_base: string;
  /** ISO date the offer went live; null: unknown (no freshness). */
  created_at: string | null;
  /** Conversions the network still accepts; null: uncapped, 0: closed. */
  cap_remaining: number | null;
}

/** One page of the vendor's Get Offers API; a catalog file is one page holding everything. */
export interface OfferPage {
  status: string;
  publisher_id: number;
  wall_id: number;
  total: number;
  offset: number;
  limit: number;
  offers: CatalogOffer[];
}

/** The final step of an offer: completing it completes the offer. */
export function finalEventId(offer: Pick<CatalogOffer, 'events'>): string | undefined {
  return offer.events[offer.events.length - 1]?.event_id;
}
