import { CatalogIndex, CODE, DROP_REASONS } from './catalog-index.js';
import { type DropReason, isCompleted, type Targeting } from './eligibility.js';
import type { CatalogOffer } from './offer.js';
import type { OfferProgress } from './progress.js';
import { round } from './progress.js';
import {
  featuresOf,
  partialMetrics,
  type RankingModel,
  type ScoreBreakdown,
  type ScoreRanges,
  scoreAll,
} from './ranking.js';
import {
  type Boost,
  boostsAt,
  keptPositions,
  planFor,
  type RankingPlan,
  rangesOver,
} from './ranking-plan.js';
import type { Work } from './ranking-work.js';
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
  readonly offer: CatalogOffer;
  readonly progress: OfferProgress | undefined;
  /** False only for completed offers shown because the rules say `completedOffers: show`. */
  readonly eligible: boolean;
  /** What the offers were ranked by: `metric` plus the boosts, 6 decimals (breakdown.score). */
  readonly score: number;
  /** Σ weight × feature, 6 decimals (breakdown.metric): the response's `sortmetric`. */
  readonly metric: number;
  /** The features behind the score; built when read. */
  readonly breakdown: ScoreBreakdown;
  readonly boosts: readonly Boost[];
  /** 1 = best. */
  readonly rank: number;
}

/**
 * A returned offer whose breakdown is built only when read: explanations read it, the
 * server reads only score and metric. Built for every returned offer, the breakdown's
 * three objects and ten boxed numbers were ~40 % of what ranking allocated per request.
 */
class Ranked implements RankedOffer {
  readonly #at: BreakdownSource;

  constructor(
    readonly offer: CatalogOffer,
    readonly progress: OfferProgress | undefined,
    readonly eligible: boolean,
    readonly score: number,
    readonly metric: number,
    readonly boosts: readonly Boost[],
    readonly rank: number,
    at: BreakdownSource,
  ) {
    this.#at = at;
  }

  /** Its score and metric as the ranking computed them, the features behind them from the same functions. */
  get breakdown(): ScoreBreakdown {
    const { index, i, ranges, input, boost } = this.#at;
    const features = featuresOf(index, i, ranges, input);
    return { features, metric: this.metric, boost: round(boost, 6), score: this.score };
  }
}

/** What a returned offer's breakdown is built from. */
interface BreakdownSource {
  index: CatalogIndex;
  i: number;
  ranges: ScoreRanges;
  input: RankingInput;
  boost: number;
}

export interface DroppedOffer {
  offerId: number;
  reason: DropReason;
  ruleId?: string;
}

export interface Ranking {
  /** Eligible offers before the `limit` cut: the ranked list without completed offers shown last. */
  total: number;
  offers: RankedOffer[];
  dropped: DroppedOffer[];
  /** Kept offers ranked after the `limit` cut, best first (explanations only, like `dropped`). */
  belowCut: BelowCut[];
}

/** An offer that passed every filter but ranked after the last one returned. */
export interface BelowCut {
  offerId: number;
  /** Its place in the whole ranked list (1 = best), so always greater than `limit`. */
  rank: number;
  score: number;
}

/**
 * The user's completed offers on top of the plan: hidden ones become `completed` drops,
 * shown ones are flagged. True when a hidden one was kept by the plan (the offers left,
 * and so their scaling, are then no longer the plan's).
 */
function applyCompletions(
  index: CatalogIndex,
  input: RankingInput,
  plan: RankingPlan,
  { status, completed }: Work,
): boolean {
  let keptHidden = false;
  for (const [offerId, p] of input.progress) {
    const i = index.position.get(offerId);
    if (i === undefined || plan.targeting[i] !== CODE.kept || !isCompleted(p)) continue;
    if (input.completedOffers === 'show') completed[i] = 1;
    else {
      if (status[i] === CODE.kept) keptHidden = true;
      status[i] = CODE.completed;
    }
  }
  return keptHidden;
}

/**
 * The kept offers the user can still earn from: `kept` itself unless completed offers are
 * shown among them. Those are ranked last but are not eligible: RevU's `total` counts the
 * eligible offers and the features are scaled over them (a probe saw a completed offer's
 * epc move the only eligible offer's sortmetric), so both read this list.
 */
function earnable(kept: Int32Array, { completed }: Work): Int32Array {
  let shown = 0;
  for (let j = 0; j < kept.length; j++) shown += completed[kept[j] as number] as number;
  if (shown === 0) return kept;
  const out = new Int32Array(kept.length - shown);
  let n = 0;
  for (let j = 0; j < kept.length; j++) {
    const i = kept[j] as number;
    if (completed[i] === 0) out[n++] = i;
  }
  return out;
}

/**
 * Whether position `a` ranks before `b`: earnable before completed, then the higher
 * score, then the lower offer id. A difference that is 0 or NaN falls through to the
 * next key, as `||` did in the comparator this replaces (a closure returning a double
 * boxed a number per comparison).
 */
function ranksBefore(a: number, b: number, completed: Uint8Array, score: Float64Array, ids: Float64Array) {
  const dc = (completed[a] as number) - (completed[b] as number);
  if (dc !== 0) return dc < 0;
  const ds = (score[b] as number) - (score[a] as number);
  if (ds < 0 || ds > 0) return ds < 0;
  return (ids[a] as number) - (ids[b] as number) < 0;
}

/**
 * Best first among the kept offers — a total order, so keeping the best `limit` while
 * scanning gives exactly the head of the fully sorted list without sorting every offer.
 */
function best(index: CatalogIndex, { completed, score }: Work, kept: Int32Array, limit: number): number[] {
  const ids = index.ids;
  if (limit <= 0) return [];
  const top = new Int32Array(Math.min(limit, kept.length));
  let size = 0;
  for (let j = 0; j < kept.length; j++) {
    const i = kept[j] as number;
    if (size === top.length && !ranksBefore(i, top[size - 1] as number, completed, score, ids)) continue;
    let at = size < top.length ? size : size - 1;
    while (at > 0 && ranksBefore(i, top[at - 1] as number, completed, score, ids)) {
      top[at] = top[at - 1] as number;
      at--;
    }
    top[at] = i;
    if (size < top.length) size++;
  }
  return Array.from(top.subarray(0, size));
}

/** Every kept offer after the first `limit`, in the order `best` keeps them (explanations only). */
function rankedAfter(index: CatalogIndex, work: Work, kept: Int32Array, limit: number): BelowCut[] {
  const { completed, score } = work;
  const order = Array.from(kept).sort((a, b) =>
    ranksBefore(a, b, completed, score, index.ids)
      ? -1
      : ranksBefore(b, a, completed, score, index.ids)
        ? 1
        : 0,
  );
  return order.slice(Math.max(0, limit)).map((i, n) => ({
    offerId: (index.offers[i] as CatalogOffer).offer_id,
    rank: Math.max(0, limit) + n + 1,
    score: work.score[i] as number,
  }));
}

function droppedList(
  index: CatalogIndex,
  { status }: Work,
  rule: Int32Array,
  effects: readonly RuleEffect[],
): DroppedOffer[] {
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
 * Scores the kept offers into the ranking's `score` and `metric`, their features scaled over
 * the `eligible` ones (`earnable`); returns the ranges they were scaled over.
 */
function scoreKept(
  index: CatalogIndex,
  input: RankingInput,
  plan: RankingPlan,
  kept: Int32Array,
  eligible: Int32Array,
  work: Work,
): ScoreRanges {
  if (kept === plan.kept && eligible === kept) {
    scoreAll(index, kept, plan.partial, plan.boost, input, work);
    return plan.ranges;
  }
  const r = rangesOver(index, eligible);
  partialMetrics(index, kept, r, input.model.weights, work.partial);
  scoreAll(index, kept, work.partial, plan.boost, input, work);
  return r;
}

/**
 * Filters the catalog for one user and ranks what is left: best score first, ties by
 * offer id so equal offers always come in the same order, completed offers (when
 * shown) after every offer the user can still earn from. The catalog is scored in typed
 * arrays; only the offers returned become objects.
 */
export function rankOffers(input: RankingInput): Ranking {
  const stages = rankingStages(input);
  for (;;) {
    const step = stages.next();
    if (step.done) return step.value;
  }
}

/**
 * rankOffers, one stage per step: each `yield` is a point where an `await` could go
 * (a test runs many rankings interleaved there), so no stage may rely on state another
 * ranking can change in between.
 */
export function* rankingStages(input: RankingInput): Generator<void, Ranking, void> {
  const index = input.index ?? new CatalogIndex(input.offers);
  const plan = planFor(index, input);
  yield;
  const work = index.work.take();
  try {
    work.status.set(plan.status);
    work.completed.fill(0);
    const kept = applyCompletions(index, input, plan, work)
      ? keptPositions(work.status, work.kept)
      : plan.kept;
    const eligible = earnable(kept, work);
    yield;
    const r = scoreKept(index, input, plan, kept, eligible, work);
    yield;
    const offers = best(index, work, kept, input.limit).map((i, n) => {
      const offer = index.offers[i] as CatalogOffer;
      return new Ranked(
        offer,
        input.progress.get(offer.offer_id),
        work.completed[i] === 0,
        work.score[i] as number,
        round(work.metric[i] as number, 6),
        boostsAt(plan, i),
        n + 1,
        { index, i, ranges: r, input, boost: plan.boost[i] as number },
      );
    });
    yield;
    const dropped = input.listDropped === false ? [] : droppedList(index, work, plan.rule, input.effects);
    // Nothing returned refers to `work`: it can go back to the pool.
    const belowCut = input.listDropped === false ? [] : rankedAfter(index, work, kept, input.limit);
    return { total: eligible.length, offers, dropped, belowCut };
  } finally {
    index.work.give(work);
  }
}
