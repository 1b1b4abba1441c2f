import type { Facts, RuleOutcome } from '../rules/engine/rule-set.js';
import type { SegmentMatch } from '../rules/segment-catalog.js';
import type { Experiment } from './domain/banner-types.js';
import type { BannerRules } from './rules/banner-kind.js';

/** What a decision needs of segments and eligibility. */
export interface Judged {
  eligible: { has(experimentId: string): boolean };
  segments: SegmentMatch;
  eligibility: RuleOutcome<Experiment>[];
}

/** Explaining: every segment and every experiment's eligibility, with their outcomes. */
export async function judgeAll(rules: BannerRules, facts: Facts): Promise<Judged> {
  const segments = await rules.segments.evaluate(facts);
  facts.segments = segments.ids;
  const eligibility = await rules.eligibility.evaluate(facts);
  const eligible = new Set([
    ...rules.experiments.filter((e) => !e.hasEligibility).map((e) => e.id),
    ...eligibility.filter((o) => o.matched).map((o) => o.id),
  ]);
  return { eligible, segments, eligibility };
}

/** Serving: the same decisions as judgeAll, without building an outcome per rule. */
export async function judgeServing(rules: BannerRules, facts: Facts): Promise<Judged> {
  const index = rules.eligibilityIndex;
  const ids = await rules.segments.matchedIds(facts);
  facts.segments = ids;
  const matched = await rules.eligibility.matched(facts);
  const has = (id: string): boolean => {
    const i = index.positions.get(id);
    return i === undefined ? index.everyone.has(id) : matched[i] === 1;
  };
  return { eligible: { has }, segments: { ids, outcomes: [] }, eligibility: [] };
}
