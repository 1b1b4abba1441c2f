import { CatalogIndex, CODE, DROP_REASONS } from './catalog-index.js';
import { type DropReason, isCompleted, type Targeting } from './eligibility.js';
import type { CatalogOffer } from './offer.js';
import type { OfferProgress } from './progress.js';
import { featuresOf, type RankingModel, type ScoreBreakdown, type ScoreRanges, scoreOf } from './ranking.js';
import type { RuleEffect } from './rule-effects.js';

/** What to do with offers the user already completed (rule file: `completedOffers`). */
export type CompletedOffers = 'hide' | 'show';

export interface RankingInput {
  offers: readonly CatalogOffer[];
  /** `offers` prepared for ranking (the service keeps one per catalog); built here when absent. */
  index?: CatalogIndex;
  targeting: Targeting;
  /** The user's progress by offer id. */
  progress: ReadonlyMap<number, OfferProgress>;
  /** Effects of the rules that matched this request, in rule order. */
  effects: readonly RuleEffect[];
  model: RankingModel;
  completedOffers: CompletedOffers;
  /** Category → the user's affinity in [0, 1]. */
  affinity: Readonly<Record<string, number>>;
  now: Date;
  limit: number;
  /** False leaves `dropped` empty: only explanations read it. Default true. */
  listDropped?: boolean;
}

export interface RankedOffer {
  offer: CatalogOffer;
  progress: OfferProgress | undefined;
  /** False only for completed offers shown because the rules say `completedOffers: show`. */
  eligible: boolean;
  breakdown: ScoreBreakdown;
  boosts: { ruleId: string; by: number }[];
  /** 1 = best. */
  rank: number;
}

export interface DroppedOffer {
  offerId: number;
  reason: DropReason;
  ruleId?: string;
}

export interface Ranking {
  /** Offers in the ranked list before the `limit` cut. */
  total: number;
  offers: RankedOffer[];
  dropped: DroppedOffer[];
}

/** Per catalog position: why it is dropped (0: kept), which rule dropped it, whether it is still earnable. */
interface Verdicts {
  status: Uint8Array;
  rule: Int32Array;
  completed: Uint8Array;
}

function verdicts(index: CatalogIndex, input: RankingInput): Verdicts {
  const status = Uint8Array.from(index.targetingCodes(input.targeting));
  const completed = new Uint8Array(index.size);
  for (const [offerId, p] of input.progress) {
    const i = index.position.get(offerId);
    if (i === undefined || status[i] !== CODE.kept || !isCompleted(p)) continue;
    if (input.completedOffers === 'hide') status[i] = CODE.completed;
    else completed[i] = 1;
  }
  // Rule effects in rule order: the first rule that drops an offer is the one named.
  const rule = new Int32Array(index.size);
  input.effects.forEach((e, k) => {
    if (e.exclude) {
      for (const i of index.selection(e.exclude).selected) {
        if (status[i] === CODE.kept) [status[i], rule[i]] = [CODE.rule_exclude, k];
      }
    }
    if (e.allowOnly) {
      for (const i of index.selection(e.allowOnly).unselected) {
        if (status[i] === CODE.kept) [status[i], rule[i]] = [CODE.rule_allow_list, k];
      }
    }
  });
  return { status, rule, completed };
}

/** Σ of the boosts selecting each offer, added in rule order (as the score always did). */
function boostSums(index: CatalogIndex, effects: readonly RuleEffect[]): Float64Array {
  const sums = new Float64Array(index.size);
  for (const e of effects) {
    if (!e.boost) continue;
    const by = e.boost.by;
    for (const i of index.selection(e.boost).selected) sums[i] = (sums[i] as number) + by;
  }
  return sums;
}

function ranges(index: CatalogIndex, kept: Int32Array): ScoreRanges {
  const r = (values: Float64Array) => {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const i of kept) {
      const v = values[i] as number;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    return { min, max };
  };
  return {
    epc: r(index.epc),
    conversionRate: r(index.conversionRate),
    userReward: r(index.logReward),
    payout: r(index.logPayout),
  };
}

/**
 * Best first among `kept`: earnable before completed, then score, then the lower
 * offer id — a total order, so keeping the best `limit` while scanning gives exactly
 * the head of the fully sorted list without sorting every offer.
 */
function best(
  kept: Int32Array,
  completed: Uint8Array,
  score: Float64Array,
  ids: Float64Array,
  limit: number,
) {
  const before = (a: number, b: number) =>
    (completed[a] as number) - (completed[b] as number) ||
    (score[b] as number) - (score[a] as number) ||
    (ids[a] as number) - (ids[b] as number);
  const top: number[] = [];
  if (limit <= 0) return top;
  for (const i of kept) {
    if (top.length === limit && before(i, top[limit - 1] as number) >= 0) continue;
    let at = Math.min(top.length, limit - 1);
    while (at > 0 && before(i, top[at - 1] as number) < 0) at--;
    top.splice(at, 0, i);
    if (top.length > limit) top.pop();
  }
  return top;
}

function droppedList(index: CatalogIndex, v: Verdicts, effects: readonly RuleEffect[]): DroppedOffer[] {
  const dropped: DroppedOffer[] = [];
  v.status.forEach((code, i) => {
    if (code === CODE.kept) return;
    const offerId = (index.offers[i] as CatalogOffer).offer_id;
    const reason = DROP_REASONS[code] as DropReason;
    if (code === CODE.rule_exclude || code === CODE.rule_allow_list) {
      dropped.push({ offerId, reason, ruleId: (effects[v.rule[i] as number] as RuleEffect).ruleId });
    } else dropped.push({ offerId, reason });
  });
  return dropped;
}

/**
 * Filters the catalog for one user and ranks what is left: best score first, ties by
 * offer id so equal offers always come in the same order, completed offers (when
 * shown) after every offer the user can still earn from. Only the offers returned get
 * their breakdown built; the rest of the catalog is scored in typed arrays.
 */
export function rankOffers(input: RankingInput): Ranking {
  const index = input.index ?? new CatalogIndex(input.offers);
  const v = verdicts(index, input);
  const keptList: number[] = [];
  v.status.forEach((code, i) => {
    if (code === CODE.kept) keptList.push(i);
  });
  const kept = Int32Array.from(keptList);
  const boost = boostSums(index, input.effects);
  const r = ranges(index, kept);
  const score = new Float64Array(index.size);
  for (const i of kept) score[i] = scoreOf(index, i, r, input, boost[i] as number);
  const ids = index.ids;
  const top = best(kept, v.completed, score, ids, Math.max(0, input.limit));
  const offers = top.map((i, n) => {
    const offer = index.offers[i] as CatalogOffer;
    const boosts = input.effects.flatMap((e) =>
      e.boost && index.selection(e.boost).has[i] ? [{ ruleId: e.ruleId, by: e.boost.by }] : [],
    );
    return {
      offer,
      progress: input.progress.get(offer.offer_id),
      eligible: v.completed[i] === 0,
      breakdown: featuresOf(index, i, r, input, boost[i] as number),
      boosts,
      rank: n + 1,
    };
  });
  const dropped = input.listDropped === false ? [] : droppedList(index, v, input.effects);
  return { total: kept.length, offers, dropped };
}
