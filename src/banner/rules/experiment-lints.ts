import { type Condition, isAll, isAny, isNot, isSegmentRef } from '../../rules/engine/conditions.js';
import type { SegmentCatalog } from '../../rules/segment-catalog.js';
import { conflictingValues } from '../domain/event-value.js';
import type { BannerRules } from './banner-kind.js';
import { covers, lookupIn, type SegmentLookup } from './condition-cover.js';
import type { RuleLint } from './rule-lint.js';

/**
 * `user` facts the banner request itself changes: every answered request records the
 * visit (first and last seen, renders) before the next one is judged.
 */
const SELF_CHANGED_FACTS = new Set([
  'user.known',
  'user.firstSeenAt',
  'user.daysSinceFirstSeen',
  'user.lastSeenAt',
  'user.daysSinceLastSeen',
  'user.renders',
]);

/** Fact paths a condition reads, through segments, with the segment they came through. */
function factsRead(condition: Condition, segment: SegmentLookup, via: string | null, seen: Set<string>) {
  const out: { fact: string; via: string | null }[] = [];
  const walk = (c: Condition, through: string | null): void => {
    if (isAll(c)) for (const part of c.all) walk(part, through);
    else if (isAny(c)) for (const part of c.any) walk(part, through);
    else if (isNot(c)) walk(c.not, through);
    else if (isSegmentRef(c)) {
      if (seen.has(c.segment)) return;
      seen.add(c.segment);
      const definition = segment(c.segment);
      if (definition) walk(definition, through ?? c.segment);
    } else out.push({ fact: c.fact, via: through });
  };
  walk(condition, via);
  return out;
}

function swallowedByExperiment(rules: BannerRules, segment: SegmentLookup): RuleLint[] {
  const lints: RuleLint[] = [];
  const takesAll = rules.experiments.filter(
    (e) => e.status === 'running' && e.trafficAllocation >= 100 && e.occasion === null,
  );
  for (const e of takesAll) {
    const eligibility = rules.written.eligibility.get(e.id)?.condition ?? null;
    for (const b of rules.written.banners) {
      if (b.experimentId !== null || !covers(eligibility, b.when, segment)) continue;
      lints.push({
        ...b.site,
        experimentId: e.id,
        bannerId: b.id,
        message: `banner '${b.id}' can never fire while experiment '${e.id}' runs: every user it targets is eligible for '${e.id}', which takes 100 % of its eligible users into the experiment`,
      });
    }
  }
  return lints;
}

/**
 * A running experiment at 100 % traffic admits everyone eligible, and the first experiment
 * that admits a user wins: a later one whose eligibility it covers, for the same requests
 * (it runs for every occasion, or for the later one's), never enrolls anyone new.
 */
function starvedByEarlierExperiment(rules: BannerRules, segment: SegmentLookup): RuleLint[] {
  const lints: RuleLint[] = [];
  rules.experiments.forEach((later, i) => {
    if (later.status !== 'running') return;
    const laterEligibility = rules.written.eligibility.get(later.id);
    const earlier = rules.experiments
      .slice(0, i)
      .find(
        (e) =>
          e.status === 'running' &&
          e.trafficAllocation >= 100 &&
          (e.occasion === null || e.occasion === later.occasion) &&
          covers(
            rules.written.eligibility.get(e.id)?.condition ?? null,
            laterEligibility?.condition ?? null,
            segment,
          ),
      );
    if (!earlier || !laterEligibility) return;
    lints.push({
      ...laterEligibility.site,
      experimentId: later.id,
      bannerId: null,
      message: `experiment '${later.id}' can never enroll anyone new while experiment '${earlier.id}' runs: it comes first, takes 100 % of its eligible users, and every user eligible for '${later.id}' is eligible for it`,
    });
  });
  return lints;
}

function selfChangingEligibility(rules: BannerRules, segment: SegmentLookup): RuleLint[] {
  const lints: RuleLint[] = [];
  for (const e of rules.experiments) {
    const eligibility = rules.written.eligibility.get(e.id);
    if (!eligibility?.condition || e.status === 'stopped') continue;
    const read = factsRead(eligibility.condition, segment, null, new Set());
    const changed = read.filter((r) => SELF_CHANGED_FACTS.has(r.fact));
    for (const fact of new Set(changed.map((r) => r.fact))) {
      const via = changed.find((r) => r.fact === fact)?.via;
      lints.push({
        ...eligibility.site,
        experimentId: e.id,
        bannerId: null,
        message: `experiment '${e.id}' is eligible on ${fact}${via ? ` (through segment '${via}')` : ''}, which the banner request itself changes: the first visit may end the eligibility (enrolled users stay in, but the audience is only who qualified at their first exposure)`,
      });
    }
  }
  return lints;
}

/**
 * `trafficAllocation` is a percent: 0.5 admits one user in 200, not half. An account-manager
 * check wrote 0.5 meaning half, and nothing said otherwise.
 */
function fractionalAllocation(rules: BannerRules): RuleLint[] {
  return rules.experiments
    .filter((e) => e.trafficAllocation > 0 && e.trafficAllocation < 1)
    .map((e) => ({
      ...(rules.written.eligibility.get(e.id)?.site ?? { file: '', line: 1, col: 1 }),
      experimentId: e.id,
      bannerId: null,
      message: `experiment '${e.id}' has trafficAllocation ${e.trafficAllocation}, a percent: it admits ${e.trafficAllocation} % of its eligible users (one in ${Math.round(100 / e.trafficAllocation)}); for a share of ${e.trafficAllocation * 100} % write ${e.trafficAllocation * 100}`,
    }));
}

/**
 * An event keeps one value (event-value.ts valueProperties): an experiment naming another
 * property of the same primary event than an earlier one has its revenue summed from the
 * earlier one's property while its results name its own (an outside probe: `price` shown,
 * `revenue` summed, 10 × off).
 */
function conflictingValueProperty(rules: BannerRules): RuleLint[] {
  return conflictingValues(rules.experiments).map(([e, first]) => ({
    ...(rules.written.eligibility.get(e.id)?.site ?? { file: '', line: 1, col: 1 }),
    experimentId: e.id,
    bannerId: null,
    message: `experiment '${e.id}' sums revenue from ${e.metrics.primary}.${e.metrics.primaryValue}, but experiment '${first.id}', earlier in rule order, reads ${first.metrics.primary}.${first.metrics.primaryValue}: an event keeps one value, so '${e.id}' would sum ${first.metrics.primaryValue} under the name ${e.metrics.primaryValue}; name the same property in both, or another event`,
  }));
}

/** The experiment traps `offerd validate` warns about, for one app's banner rules. */
export function lintExperiments(rules: BannerRules, segments: SegmentCatalog): RuleLint[] {
  const segment = lookupIn(segments);
  return [
    ...swallowedByExperiment(rules, segment),
    ...starvedByEarlierExperiment(rules, segment),
    ...selfChangingEligibility(rules, segment),
    ...fractionalAllocation(rules),
    ...conflictingValueProperty(rules),
  ];
}
