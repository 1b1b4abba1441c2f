import type { CatalogIndex } from './catalog-index.js';
import { round } from './progress.js';
import type { Work } from './ranking-work.js';

/** The offer features a score is made of; each is normalized to [0, 1] before weighting. */
export interface RankingWeights {
  epc: number;
  conversionRate: number;
  userReward: number;
  payout: number;
  freshness: number;
  affinity: number;
}

export interface RankingModel {
  weights: RankingWeights;
  /** Age at which an offer's freshness has halved. */
  freshnessHalfLifeDays: number;
}

/** Used when an app has no Offerwall rule file. */
export const DEFAULT_RANKING: RankingModel = Object.freeze({
  weights: Object.freeze({
    epc: 0.35,
    conversionRate: 0.2,
    userReward: 0.15,
    payout: 0.1,
    freshness: 0.1,
    affinity: 0.1,
  }),
  freshnessHalfLifeDays: 30,
});

export interface ScoreBreakdown {
  /** Normalized feature values, before weights. */
  features: RankingWeights;
  /** Σ weight × feature: the `sortmetric`. */
  metric: number;
  /** Sum of the segment boosts of matched rules. */
  boost: number;
  score: number;
}

type Range = { min: number; max: number };

/** Min and max of each min-max scaled feature over the offers being ranked. */
export interface ScoreRanges {
  epc: Range;
  conversionRate: Range;
  userReward: Range;
  payout: Range;
}

/** Within [0, 1] even for a completed offer shown last, which is outside the range it is scaled by. */
function scale(v: number, r: Range): number {
  if (!(r.max > r.min)) return 0;
  const f = (v - r.min) / (r.max - r.min);
  return f < 0 ? 0 : f > 1 ? 1 : f;
}

/** What scoring needs of a request besides the offer's own numbers. */
export interface ScoreInput {
  model: RankingModel;
  affinity: Readonly<Record<string, number>>;
  now: Date;
}

/*
 * An offer's features, relative to the other candidates: epc and conversion rate are
 * min-max scaled over them, rewards and payouts on a log scale first (a few huge
 * offers would otherwise flatten the rest), freshness halves every half-life,
 * affinity is the user's own affinity to the offer's category. Each is written once,
 * here: the scoring loop and a returned offer's breakdown both call these.
 */

function epcFeature(index: CatalogIndex, i: number, r: ScoreRanges): number {
  return scale(index.epc[i] as number, r.epc);
}

function conversionRateFeature(index: CatalogIndex, i: number, r: ScoreRanges): number {
  return scale(index.conversionRate[i] as number, r.conversionRate);
}

function userRewardFeature(index: CatalogIndex, i: number, r: ScoreRanges): number {
  return scale(index.logReward[i] as number, r.userReward);
}

function payoutFeature(index: CatalogIndex, i: number, r: ScoreRanges): number {
  return scale(index.logPayout[i] as number, r.payout);
}

/** Halves every half-life from the offer's creation; 0 when the creation is unknown. */
export function freshnessFeature(nowMs: number, createdMs: number, halfLife: number): number {
  const ageDays = Math.max(0, (nowMs - createdMs) / 86_400_000);
  return Number.isFinite(ageDays) ? 0.5 ** (ageDays / halfLife) : 0;
}

function affinityFeature(category: string, affinity: Readonly<Record<string, number>>): number {
  return Object.hasOwn(affinity, category) ? (affinity[category] ?? 0) : 0;
}

/*
 * The metric, Σ weight × feature, is written once too, in two parts summed in this
 * order: partialMetric (what does not depend on the user or the clock, so a ranking plan
 * computes it once for many requests), then metricOf adds freshness and affinity.
 */

/** The metric's first four terms — epc, conversion rate, user reward, payout — summed in order. */
function partialMetric(index: CatalogIndex, i: number, r: ScoreRanges, w: RankingWeights): number {
  return (
    w.epc * epcFeature(index, i, r) +
    w.conversionRate * conversionRateFeature(index, i, r) +
    w.userReward * userRewardFeature(index, i, r) +
    w.payout * payoutFeature(index, i, r)
  );
}

/** Σ weight × feature, unrounded: partialMetric's sum, then freshness, then affinity. */
function metricOf(partial: number, freshness: number, affinity: number, w: RankingWeights): number {
  return partial + w.freshness * freshness + w.affinity * affinity;
}

/** 10 ** 6, as round(_, 6) scales. */
const MICRO = 10 ** 6;

/** What the offers are ranked by: the metric plus the boosts, round(_, 6) written out. */
function scoreOf(metric: number, boost: number): number {
  return Math.round((metric + boost) * MICRO) / MICRO;
}

/** partialMetric of each of `positions`, into `out` by catalog position. */
export function partialMetrics(
  index: CatalogIndex,
  positions: Int32Array,
  r: ScoreRanges,
  w: RankingWeights,
  out: Float64Array,
): void {
  for (let j = 0; j < positions.length; j++) {
    const i = positions[j] as number;
    out[i] = partialMetric(index, i, r, w);
  }
}

/**
 * The score of every position of `positions` into `work.score`, and its unrounded metric
 * into `work.metric` (both by catalog position), from the partial metrics in `partial`:
 * freshness through the catalog's memo, the user's affinity looked up once per category.
 * One loop writing typed arrays: the small functions it calls are
 * inlined, where a call per offer returning a double out of optimized code would box it
 * (~16 KB of garbage a request over 500 offers).
 */
export function scoreAll(
  index: CatalogIndex,
  positions: Int32Array,
  partial: Float64Array,
  boost: Float64Array,
  input: ScoreInput,
  { score, metric: metricOut, affinity }: Work,
): void {
  const nowMs = input.now.getTime();
  const halfLife = input.model.freshnessHalfLifeDays;
  index.categoryNames.forEach((c, k) => {
    affinity[k] = affinityFeature(c, input.affinity);
  });
  const { categoryOf } = index;
  const w = input.model.weights;
  for (let j = 0; j < positions.length; j++) {
    const i = positions[j] as number;
    const f = index.freshness(i, nowMs, halfLife);
    const metric = metricOf(partial[i] as number, f, affinity[categoryOf[i] as number] as number, w);
    metricOut[i] = metric;
    score[i] = scoreOf(metric, boost[i] as number);
  }
}

/**
 * The features of the offer at position `i` (4 decimals) for a returned offer's breakdown,
 * from the functions scoreAll's terms come from; its metric and score are scoreAll's own.
 */
export function featuresOf(
  index: CatalogIndex,
  i: number,
  r: ScoreRanges,
  input: ScoreInput,
): RankingWeights {
  const nowMs = input.now.getTime();
  const halfLife = input.model.freshnessHalfLifeDays;
  return {
    epc: round(epcFeature(index, i, r), 4),
    conversionRate: round(conversionRateFeature(index, i, r), 4),
    userReward: round(userRewardFeature(index, i, r), 4),
    payout: round(payoutFeature(index, i, r), 4),
    freshness: round(freshnessFeature(nowMs, index.createdMs[i] as number, halfLife), 4),
    affinity: round(affinityFeature(index.categories[i] as string, input.affinity), 4),
  };
}
