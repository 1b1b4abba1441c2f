/** The compiled, plain-data shapes of an app's banner rules (conditions live in the rule sets). */

export type ExperimentStatus = 'running' | 'paused' | 'stopped';

/** Variation 0 of every experiment is its control group. */
export const CONTROL_VARIATION = 0;

/** 1: murmur3 with two seeds (experiments made before version 2); 2: SHA-256, two independent words. */
export type HashVersion = 1 | 2;

export interface Variation {
  id: number;
  name: string;
  /** Relative weight; a variation's share is weight / sum of the experiment's weights. */
  weight: number;
}

export interface Experiment {
  id: string;
  description: string;
  status: ExperimentStatus;
  /** Part of the bucketing key: bumping it re-randomizes everyone (new assignments). */
  bucketVersion: number;
  /** Which hash turns the bucketing key into buckets (see bucketing.ts); recorded in the rules. */
  hashVersion: HashVersion;
  /** Opt-in: banner rules may target control (variation 0); else control gets the default banner. */
  controlBanner: boolean;
  /** Percent (0-100) of eligible users who enter the experiment. */
  trafficAllocation: number;
  /** When set, the experiment runs only for requests naming this occasion (or none). */
  occasion: string | null;
  /** Whether the experiment has eligibility conditions (else everyone is eligible). */
  hasEligibility: boolean;
  variations: readonly Variation[];
  /** The event that decides the verdict (null: none declared), and those only reported. */
  metrics: {
    primary: string | null;
    secondary: readonly string[];
    /** The primary event's numeric property reported as revenue per user, when declared. */
    primaryValue?: string | null;
  };
}

/**
 * SDK bookkeeping events, never a conversion: aliasing and the Unity SDK's `_kb_*` events
 * (`_kb_identify`, `_kb_opt_in`), which /track stores under their `$` spelling.
 */
const HOUSEKEEPING = new Set(['$create_alias', '$identify', '$opt_in']);

export function isHousekeepingEvent(name: string): boolean {
  return HOUSEKEEPING.has(name) || name.startsWith('_kb_');
}

/** An image URL template and the languages its images exist in. */
export interface BannerImage {
  template: string;
  languages: readonly string[];
}

export interface BannerSettings {
  defaultPrizeKey: string;
  prizeTypes: readonly string[];
  /** Languages images exist in, unless a banner names its own. */
  languages: readonly string[];
  /** Served when the image does not exist in the requested language. */
  fallbackLanguage: string;
  /** Filled into `{countryIso2}` when the caller's country is unknown. */
  unknownCountry: string;
  defaultBanner: BannerImage;
}

/** One banner rule: which image for which experiment variation, prize and segment. */
export interface BannerChoice {
  id: string;
  /** Null: the banner is for users outside every experiment. */
  experimentId: string | null;
  variations: readonly number[];
  image: BannerImage;
}

/** A validated getPersonalizedBanner request, with defaults and the country already resolved. */
export interface BannerRequest {
  userId: string;
  offerId: string;
  prizeKey: string;
  prizeKeySource: 'request' | 'default';
  prizeTypes: string[];
  countryIso2: string | null;
  countrySource: 'request' | 'geoip' | 'unknown';
  languageIso2: string | null;
  zipCode: string | null;
  occasion: string | null;
  /** Every body key that is not a request field: the vendor's "ContextObject". */
  context: Record<string, unknown>;
}
