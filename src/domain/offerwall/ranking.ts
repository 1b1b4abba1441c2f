import type { CatalogOffer } from './offer.js';
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

function rangeOf(values: number[]): Range {
  return { min: Math.min(...values), max: Math.max(...values) };
}

function scale(v: number, r: Range): number {
  return r.max > r.min ? (v - r.min) / (r.max - r.min) : 0;
}

/**
 * Scores offers relative to each other: epc and conversion rate are min-max scaled
 * over the candidates, rewards and payouts on a log scale first (a few huge offers
 * would otherwise flatten the rest), freshness halves every half-life, affinity is
 * the user's own affinity to the offer's category.
 */
export function scoreOffers(
  offers: readonly CatalogOffer[],
  model: RankingModel,
  affinity: Readonly<Record<string, number>>,
  now: Date,
  boostOf: (offer: CatalogOffer) => number,
): ScoreBreakdown[] {
  if (offers.length === 0) return [];
  const epc = rangeOf(offers.map((o) => o.epc));
  const cr = rangeOf(offers.map((o) => o.conversion_rate));
  const reward = rangeOf(offers.map((o) => Math.log1p(o.total_user_reward)));
  const payout = rangeOf(offers.map((o) => Math.log1p(o.payout)));
  const w = model.weights;
  return offers.map((o) => {
    const created = o.created_at === null ? Number.NaN : Date.parse(o.created_at);
    const ageDays = Math.max(0, (now.getTime() - created) / 86_400_000);
    const features: RankingWeights = {
      epc: scale(o.epc, epc),
      conversionRate: scale(o.conversion_rate, cr),
      userReward: scale(Math.log1p(o.total_user_reward), reward),
      payout: scale(Math.log1p(o.payout), payout),
      freshness: Number.isFinite(ageDays) ? 0.5 ** (ageDays / model.freshnessHalfLifeDays) : 0,
      affinity: Object.hasOwn(affinity, o.category) ? (affinity[o.category] ?? 0) : 0,
    };
    const metric =
      w.epc * features.epc +
      w.conversionRate * features.conversionRate +
      w.userReward * features.userReward +
      w.payout * features.payout +
      w.freshness * features.freshness +
      w.affinity * features.affinity;
    const boost = boostOf(o);
    return {
      features: roundAll(features),
      metric: round(metric, 6),
      boost: round(boost, 6),
      score: round(metric + boost, 6),
    };
  });
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
