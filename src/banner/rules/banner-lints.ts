import type { SegmentCatalog } from '../../rules/segment-catalog.js';
import type { BannerRules } from './banner-kind.js';
import { coversRead, lookupIn, neededBy, requiredBy, type SegmentLookup } from './condition-cover.js';
import { lintExperiments } from './experiment-lints.js';
import type { RuleLint } from './rule-lint.js';

/**
 * Banner rules that can never fire because an earlier one (the first match wins) matches
 * every request they match: no conditions of its own, the same ones, or weaker ones.
 * Provable cases only (condition-cover.ts): a miss is silence, never a false warning.
 */
function shadowedByEarlierBanner(rules: BannerRules, segment: SegmentLookup): RuleLint[] {
  const banners = rules.written.banners;
  // Each banner's conditions read once, not once per pair (condition-cover.ts, Required).
  const needs = banners.map((b) => neededBy(b.matches));
  const lints: RuleLint[] = [];
  banners.forEach((later, i) => {
    const required = requiredBy(later.matches, segment);
    const at = needs.slice(0, i).findIndex((needed) => coversRead(needed, required));
    const earlier = at === -1 ? undefined : banners[at];
    if (!earlier) return;
    const where = `${earlier.site.file}:${earlier.site.line}:${earlier.site.col}`;
    lints.push({
      ...later.site,
      experimentId: later.experimentId,
      bannerId: later.id,
      message: `banner '${later.id}' can never fire: banner '${earlier.id}' (${where}) comes first and matches every request it matches`,
    });
  });
  return lints;
}

/** Every warning `offerd validate` prints for one app's banner rules. */
export function lintBannerRules(rules: BannerRules, segments: SegmentCatalog): RuleLint[] {
  const segment = lookupIn(segments);
  return [...shadowedByEarlierBanner(rules, segment), ...lintExperiments(rules, segments)];
}
