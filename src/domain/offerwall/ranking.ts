import type { CatalogIndex } from './catalog-index.js';
import { round } from './progress.js';

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

function scale(v: number, r: Range): number {
  return r.max > r.min ? (v - r.min) / (r.max - r.min) : 0;
}

/** What scoring needs of a request besides the offer's own numbers. */
export interface ScoreInput {
  model: RankingModel;
  affinity: Readonly<Record<string, number>>;
  now: Date;
}

/**
 * An offer's features, relative to the other candidates: epc and conversion rate are
 * min-max scaled over them, rewards and payouts on a log scale first (a few huge
 * offers would otherwise flatten the rest), freshness halves every half-life,
 * affinity is the user's own affinity to the offer's category.
 */
function features(index: CatalogIndex, i: number, r: ScoreRanges, input: ScoreInput): RankingWeights {
  return {
    epc: scale(index.epc[i] as number, r.epc),
    conversionRate: scale(index.conversionRate[i] as number, r.conversionRate),
    userReward: scale(index.logReward[i] as number, r.userReward),
    payout: scale(index.logPayout[i] as number, r.payout),
    freshness: freshness(index, i, input),
    affinity: affinity(index, i, input),
  };
}

/** Halves every half-life from the offer's creation; 0 when the creation is unknown. */
function freshnessAt(nowMs: number, createdMs: number, halfLife: number): number {
  const ageDays = Math.max(0, (nowMs - createdMs) / 86_400_000);
  return Number.isFinite(ageDays) ? 0.5 ** (ageDays / halfLife) : 0;
}

function freshness(index: CatalogIndex, i: number, input: ScoreInput): number {
  const nowMs = input.now.getTime();
  const halfLife = input.model.freshnessHalfLifeDays;
  const memo = index.freshnessAt(nowMs, halfLife);
  if (memo.done[i]) return memo.value[i] as number;
  const value = freshnessAt(nowMs, index.createdMs[i] as number, halfLife);
  memo.value[i] = value;
  memo.done[i] = 1;
  return value;
}

function affinityOf(category: string, affinity: Readonly<Record<string, number>>): number {
  return Object.hasOwn(affinity, category) ? (affinity[category] ?? 0) : 0;
}

function affinity(index: CatalogIndex, i: number, input: ScoreInput): number {
  return affinityOf(index.categories[i] as string, input.affinity);
}

/** Σ weight × feature, unrounded. */
function metricOf(f: RankingWeights, w: RankingWeights): number {
  return (
    w.epc * f.epc +
    w.conversionRate * f.conversionRate +
    w.userReward * f.userReward +
    w.payout * f.payout +
    w.freshness * f.freshness +
    w.affinity * f.affinity
  );
}

/**
 * The first four terms of the metric — epc, conversion rate, user reward, payout: what
 * does not depend on the user or the clock — for each of `positions`, into `out`. They
 * are summed in the metric's own order, so that scoreAll gives bit for bit the same score
 * as the whole sum; a loop writing a typed array, because a call per offer returning a
 * double would box it.
 */
export function partialMetrics(
  index: CatalogIndex,
  positions: Int32Array,
  r: ScoreRanges,
  w: RankingWeights,
  out: Float64Array,
): void {
  for (let j = 0; j < positions.length; j++) {
    const i = positions[j] as number;
    out[i] =
      w.epc * scale(index.epc[i] as number, r.epc) +
      w.conversionRate * scale(index.conversionRate[i] as number, r.conversionRate) +
      w.userReward * scale(index.logReward[i] as number, r.userReward) +
      w.payout * scale(index.logPayout[i] as number, r.payout);
  }
}

/** 10 ** 6, as round(_, 6) scales. */
const MICRO = 10 ** 6;

/**
 * The score the ranking sorts by — the metric (its first terms from `partial`) plus the
 * boosts, rounded to 6 decimals — for every position of `positions` into `out`, and the
 * unrounded metric into `metricOut`, in one loop: the same arithmetic in the same order as featuresOf, freshness through the same
 * memo, the user's affinity looked up once per category, and no call per offer, whose
 * double result optimized code would box (~16 KB of garbage a request over 500 offers).
 */
export function scoreAll(
  index: CatalogIndex,
  positions: Int32Array,
  partial: Float64Array,
  boost: Float64Array,
  input: ScoreInput,
  out: Float64Array,
  metricOut: Float64Array,
): void {
  const nowMs = input.now.getTime();
  const halfLife = input.model.freshnessHalfLifeDays;
  const { done, value } = index.freshnessAt(nowMs, halfLife);
  const affinity = index.categoryNames.map((c) => affinityOf(c, input.affinity));
  const { createdMs, categoryOf } = index;
  const { freshness: wf, affinity: wa } = input.model.weights;
  for (let j = 0; j < positions.length; j++) {
    const i = positions[j] as number;
    let f = value[i] as number;
    if (done[i] === 0) {
      f = freshnessAt(nowMs, createdMs[i] as number, halfLife);
      value[i] = f;
      done[i] = 1;
    }
    const metric = (partial[i] as number) + wf * f + wa * (affinity[categoryOf[i] as number] as number);
    metricOut[i] = metric;
    // round(x, 6), written out: a call would box its double argument and result.
    out[i] = Math.round((metric + (boost[i] as number)) * MICRO) / MICRO;
  }
}

/** The full breakdown of one offer's score, for the offers a response returns. */
export function featuresOf(
  index: CatalogIndex,
  i: number,
  r: ScoreRanges,
  input: ScoreInput,
  boost: number,
): ScoreBreakdown {
  const f = features(index, i, r, input);
  const metric = metricOf(f, input.model.weights);
  return {
    features: roundAll(f),
    metric: round(metric, 6),
    boost: round(boost, 6),
    score: round(metric + boost, 6),
  };
}

function roundAll(f: RankingWeights): RankingWeights {
  return {
    epc: round(f.epc, 4),
    conversionRate: round(f.conversionRate, 4),
    userReward: round(f.userReward, 4),
    payout: round(f.payout, 4),
    freshness: round(f.freshness, 4),
    affinity: round(f.affinity, 4),
  };
}
