import type { BannerRules } from '../banner/rules/banner-kind.js';
import type { JourneysRules } from '../journeys/rules/journeys-rules.js';
import type { OfferwallRules } from '../offerwall/rules/offerwall-kind.js';
import type { SegmentCatalog } from './segment-catalog.js';

export interface RuleFileInfo {
  path: string;
  kind: string;
  version: string | number;
  hash: string;
}

/**
 * One app's rules, compiled and frozen: the snapshot a request reads once and uses to
 * the end. A reload builds a new one and swaps the reference; this one never changes.
 */
export interface AppRules {
  readonly appId: string;
  /** Each file's content version, e.g. `segments:3,banner:7`: bumping any file shows here. */
  readonly version: string;
  /** Short sha256 over every file's path and content hash. */
  readonly hash: string;
  readonly loadedAt: string;
  readonly files: readonly RuleFileInfo[];
  readonly segments: SegmentCatalog;
  /** The personal-offers API (kind: Banner); null when the app has no Banner file. */
  readonly banner: BannerRules | null;
  /** The Offerwall file compiled; null when the app has none (default ranking, no rules). */
  readonly offerwall: OfferwallRules | null;
  /** The user-journeys rules (kind Journeys); null when the app has none. */
  readonly journeys: JourneysRules | null;
}

/** The value of the `X-Rules-Version` header on every API response. */
export function rulesVersionHeader(rules: Pick<AppRules, 'appId' | 'version' | 'hash'>): string {
  return `${rules.appId};version=${rules.version};hash=${rules.hash}`;
}
