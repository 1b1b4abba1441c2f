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

/** Marks, per catalog position, why an offer is dropped (0: kept) and which rule dropped it. */
function markDrops(index: CatalogIndex, input: RankingInput): void {
  const { status, rule, completed } = index.scratch;
  status.set(index.targetingCodes(input.targeting));
  completed.fill(0);
  for (const [offerId, p] of input.progress) {
    const i = index.position.get(offerId);
    if (i === undefined || status[i] !== CODE.kept || !isCompleted(p)) continue;
    if (input.completedOffers === 'hide') status[i] = CODE.completed;
    else completed[i] = 1;
  }
  // Rule effects in rule order: the first rule that drops an offer is the one named.
  for (let k = 0; k < input.effects.length; k++) {
    const e = input.effects[k] as RuleEffect;
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
  const { boost } = index.scratch;
  boost.fill(0);
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

function range(values: Float64Array, kept: Int32Array, count: number): { min: number; max: number } {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < count; j++) {
    const v = values[kept[j] as number] as number;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

function ranges(index: CatalogIndex, kept: Int32Array, count: number): ScoreRanges {
  return {
    epc: range(index.epc, kept, count),
    conversionRate: range(index.conversionRate, kept, count),
    userReward: range(index.logReward, kept, count),
    payout: range(index.logPayout, kept, count),
  };
}

/** The kept positions, in catalog order; returns how many. */
function collectKept(index: CatalogIndex): number {
  const { status, kept } = index.scratch;
  let count = 0;
  for (let i = 0; i < status.length; i++) if (status[i] === CODE.kept) kept[count++] = i;
  return count;
}

/**
 * Best first among the kept offers: earnable before completed, then score, then the
 * lower offer id — a total order, so keeping the best `limit` while scanning gives
 * exactly the head of the fully sorted list without sorting every offer.
 */
function best(index: CatalogIndex, count: number, limit: number): number[] {
  const { kept, completed, score } = index.scratch;
  const ids = index.ids;
  const before = (a: number, b: number) =>
    (completed[a] as number) - (completed[b] as number) ||
    (score[b] as number) - (score[a] as number) ||
    (ids[a] as number) - (ids[b] as number);
  const top: number[] = [];
  if (limit <= 0) return top;
  for (let j = 0; j < count; j++) {
    const i = kept[j] as number;
    if (top.length === limit && before(i, top[limit - 1] as number) >= 0) continue;
    let at = Math.min(top.length, limit - 1);
    while (at > 0 && before(i, top[at - 1] as number) < 0) at--;
    top.splice(at, 0, i);
    if (top.length > limit) top.pop();
  }
  return top;
}

function droppedList(index: CatalogIndex, effects: readonly RuleEffect[]): DroppedOffer[] {
  const { status, rule } = index.scratch;
  const dropped: DroppedOffer[] = [];
  status.forEach((code, i) => {
    if (code === CODE.kept) return;
    const offerId = (index.offers[i] as CatalogOffer).offer_id;
    const reason = DROP_REASONS[code] as DropReason;
    if (code === CODE.rule_exclude || code === CODE.rule_allow_list) {
      dropped.push({ offerId, reason, ruleId: (effects[rule[i] as number] as RuleEffect).ruleId });
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
  markDrops(index, input);
  const count = collectKept(index);
  const { kept, score, completed } = index.scratch;
  const boost = sumBoosts(index, input.effects);
  const r = ranges(index, kept, count);
  for (let j = 0; j < count; j++) {
    const i = kept[j] as number;
    score[i] = scoreOf(index, i, r, input, boost[i] as number);
  }
  const boosting = input.effects.flatMap((e) =>
    e.boost ? [{ ruleId: e.ruleId, by: e.boost.by, has: index.selection(e.boost).has }] : [],
  );
  const offers = best(index, count, input.limit).map((i, n) => {
    const offer = index.offers[i] as CatalogOffer;
    const boosts: { ruleId: string; by: number }[] = [];
    for (const b of boosting) if (b.has[i]) boosts.push({ ruleId: b.ruleId, by: b.by });
    return {
      offer,
      progress: input.progress.get(offer.offer_id),
      eligible: completed[i] === 0,
      breakdown: featuresOf(index, i, r, input, boost[i] as number),
      boosts,
      rank: n + 1,
    };
  });
  const dropped = input.listDropped === false ? [] : droppedList(index, input.effects);
  return { total: count, offers, dropped };
}
