import { CatalogIndex, CODE } from './catalog-index.js';
import type { Targeting } from './eligibility.js';
import { partialMetrics, type RankingModel, type ScoreRanges } from './ranking.js';
import type { RuleEffect } from './rule-effects.js';

/**
 * What ranking a catalog computes that depends only on the request's targeting and the
 * rules that matched, not on the user or the clock: drops, boosts, the offers left, the
 * ranges they are scaled over and the first terms of their metric. Many requests share
 * one (the same country, device and segments); a user's completed offers are applied on
 * top of it.
 */
export interface RankingPlan {
  /** Targeting verdicts only (the plan's `status` adds the rules). */
  targeting: Uint8Array;
  /** Drop code per catalog position after targeting and rules, 0 when kept. */
  status: Uint8Array;
  /** For rule drops: the index (in `effects`) of the rule that dropped the offer. */
  rule: Int32Array;
  boost: Float64Array;
  /** Positions kept, in catalog order. */
  kept: Int32Array;
  ranges: ScoreRanges;
  /** partialMetrics of the kept positions. */
  partial: Float64Array;
  /** The boosting rules in rule order, with the offers each selects (for a ranked offer's `boosts`). */
  boosting: readonly { boost: Boost; has: Uint8Array }[];
  /** boostsAt's lists by catalog position, filled as positions are ranked. */
  boostLists: (readonly Boost[] | undefined)[];
}

/** One matched rule's boost of an offer. */
export interface Boost {
  readonly ruleId: string;
  readonly by: number;
}

export interface PlanInput {
  targeting: Targeting;
  effects: readonly RuleEffect[];
  model: RankingModel;
}

/** Rule effects in rule order: the first rule that drops an offer is the one named. */
function markRules(
  index: CatalogIndex,
  effects: readonly RuleEffect[],
  status: Uint8Array,
  rule: Int32Array,
) {
  for (let k = 0; k < effects.length; k++) {
    const e = effects[k] as RuleEffect;
    if (e.exclude) dropAll(status, rule, index.selection(e.exclude).selected, CODE.rule_exclude, k);
    if (e.allowOnly) dropAll(status, rule, index.selection(e.allowOnly).unselected, CODE.rule_allow_list, k);
  }
}

function dropAll(status: Uint8Array, rule: Int32Array, positions: Int32Array, code: number, k: number): void {
  for (let j = 0; j < positions.length; j++) {
    const i = positions[j] as number;
    if (status[i] === CODE.kept) {
      status[i] = code;
      rule[i] = k;
    }
  }
}

/** Σ of the boosts selecting each offer, added in rule order (as the score always did). */
function sumBoosts(index: CatalogIndex, effects: readonly RuleEffect[]): Float64Array {
  const boost = new Float64Array(index.size);
  for (const e of effects) {
    if (!e.boost) continue;
    const by = e.boost.by;
    const positions = index.selection(e.boost).selected;
    for (let j = 0; j < positions.length; j++) {
      const i = positions[j] as number;
      boost[i] = (boost[i] as number) + by;
    }
  }
  return boost;
}

function range(values: Float64Array, kept: Int32Array): { min: number; max: number } {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < kept.length; j++) {
    const v = values[kept[j] as number] as number;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/** Min and max of each scaled feature over the `kept` positions. */
export function rangesOver(index: CatalogIndex, kept: Int32Array): ScoreRanges {
  return {
    epc: range(index.epc, kept),
    conversionRate: range(index.conversionRate, kept),
    userReward: range(index.logReward, kept),
    payout: range(index.logPayout, kept),
  };
}

/**
 * The positions whose status is kept, in catalog order: a new array, or a view of `room`
 * (as long as the catalog) when given — per request, where a new array's backing store
 * would be a malloc V8 tracks as external memory.
 */
export function keptPositions(status: Uint8Array, room?: Int32Array): Int32Array {
  let count = 0;
  for (let i = 0; i < status.length; i++) if (status[i] === CODE.kept) count++;
  const kept = room ? room.subarray(0, count) : new Int32Array(count);
  let j = 0;
  for (let i = 0; i < status.length; i++) if (status[i] === CODE.kept) kept[j++] = i;
  return kept;
}

function buildPlan(index: CatalogIndex, input: PlanInput): RankingPlan {
  const targeting = index.targetingCodes(input.targeting);
  const status = Uint8Array.from(targeting);
  const rule = new Int32Array(index.size);
  markRules(index, input.effects, status, rule);
  const kept = keptPositions(status);
  const ranges = rangesOver(index, kept);
  const partial = new Float64Array(index.size);
  partialMetrics(index, kept, ranges, input.model.weights, partial);
  const boosting = input.effects.flatMap((e) =>
    e.boost
      ? [{ boost: Object.freeze({ ruleId: e.ruleId, by: e.boost.by }), has: index.selection(e.boost).has }]
      : [],
  );
  const boost = sumBoosts(index, input.effects);
  return { targeting, status, rule, boost, kept, ranges, partial, boosting, boostLists: [] };
}

/**
 * The boosts of the offer at catalog position `i`, in rule order: the plan's alone, so
 * built once per plan and position and shared (frozen) by every ranking that returns
 * it. Built per ranked offer, they were ~1 KB of each offer's garbage with the demo rules
 * scaled to 50 segments.
 */
export function boostsAt(plan: RankingPlan, i: number): readonly Boost[] {
  let list = plan.boostLists[i];
  if (list === undefined) {
    list = Object.freeze(plan.boosting.filter((b) => b.has[i] !== 0).map((b) => b.boost));
    plan.boostLists[i] = list;
  }
  return list;
}

/** The plan for this targeting, these matched rules and this model, built once per catalog. */
export function planFor(index: CatalogIndex, input: PlanInput): RankingPlan {
  // The matched effects by content (RuleEffect's key): equal effects, equal plan.
  let key = CatalogIndex.targetingKey(input.targeting);
  for (const e of input.effects) key += `\n${e.key}`;
  return index.memo(input.model, key, () => buildPlan(index, input));
}
