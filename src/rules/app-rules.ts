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

/** Longest `X-Rules-Version`: setHeader cuts any header value past 512 characters. */
export const MAX_RULES_VERSION_HEADER = 512;

/**
 * The value of the `X-Rules-Version` header on every API response. An app with many rule
 * files has a long version list: it is shortened (ending in `...`) so that the whole value
 * fits MAX_RULES_VERSION_HEADER and still ends with the hash, which names the exact
 * rules (the admin API lists every file's version). Cut at the end instead, the hash was lost.
 */
export function rulesVersionHeader(rules: Pick<AppRules, 'appId' | 'version' | 'hash'>): string {
  const whole = `${rules.appId};version=${rules.version};hash=${rules.hash}`;
  if (whole.length <= MAX_RULES_VERSION_HEADER) return whole;
  const room = MAX_RULES_VERSION_HEADER - (whole.length - rules.version.length) - 3;
  return `${rules.appId};version=${rules.version.slice(0, Math.max(0, room))}...;hash=${rules.hash}`;
}
