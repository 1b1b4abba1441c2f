import type { SegmentCatalog } from './segment-catalog.js';

export interface RuleFileInfo {
  path: string;
  kind: string;
  version: string | number;
  hash: string;
}

/**
 * What each API's rule kind compiles to, by snapshot key (e.g. `banner`). Empty here:
 * each API adds its entry by declaration merging in its registration (`src/<api>/<api>-api.ts`),
 * so the rules layer names no API while `rules.banner` stays typed for the banner code.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging, one entry per API.
export interface CompiledKinds {}

/**
 * One app's rules, compiled and frozen: the snapshot a request reads once and uses to
 * the end. A reload builds a new one and swaps the reference; this one never changes.
 */
export interface AppRules extends Readonly<CompiledKinds> {
  readonly appId: string;
  /** Each file's content version, e.g. `segments:3,banner:7`: bumping any file shows here. */
  readonly version: string;
  /** Short sha256 over every file's path and content hash. */
  readonly hash: string;
  readonly loadedAt: string;
  readonly files: readonly RuleFileInfo[];
  readonly segments: SegmentCatalog;
}

/** The value of the `X-Rules-Version` header on every API response. */
export function rulesVersionHeader(rules: Pick<AppRules, 'appId' | 'version' | 'hash'>): string {
  return `${rules.appId};version=${rules.version};hash=${rules.hash}`;
}
