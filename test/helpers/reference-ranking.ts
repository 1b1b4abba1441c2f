/**
 * The offerwall ranking as it was before it was rewritten for speed (per-offer objects,
 * a full sort), kept as the oracle of test/offerwall/domain/ranking-equivalence.test.ts.
 */
import type { DroppedOffer, Ranking, RankingInput } from '../../src/offerwall/domain/decide.js';
import { isCompleted, targetingVerdict } from '../../src/offerwall/domain/eligibility.js';
import type { CatalogOffer } from '../../src/offerwall/domain/offer.js';
import { round } from '../../src/offerwall/domain/progress.js';
import type { RankingModel, RankingWeights, ScoreBreakdown } from '../../src/offerwall/domain/ranking.js';
import { applyEffects } from '../../src/offerwall/domain/rule-effects.js';

type Range = { min: number; max: number };

function rangeOf(values: number[]): Range {
  return { min: Math.min(...values), max: Math.max(...values) };
}

/** Features are in [0, 1]: a completed offer shown last can lie outside the eligible offers' range. */
function scale(v: number, r: Range): number {
  return r.max > r.min ? Math.min(1, Math.max(0, (v - r.min) / (r.max - r.min))) : 0;
}

/**
 * Scores offers relative to each other: epc and conversion rate are min-max scaled
 * over the candidates, rewards and payouts on a log scale first (a few huge offers
 * would otherwise flatten the rest), freshness halves every half-life, affinity is
 * the user's own affinity to the offer's category. The ranges are those of `over`: the
 * offers the user can still earn from (RevU's eligible offers), not completed ones shown.
 */
function scoreOffers(
  offers: readonly CatalogOffer[],
  over: readonly CatalogOffer[],
  model: RankingModel,
  affinity: Readonly<Record<string, number>>,
  now: Date,
  boostOf: (offer: CatalogOffer) => number,
): ScoreBreakdown[] {
  if (offers.length === 0) return [];
  const epc = rangeOf(over.map((o) => o.epc));
  const cr = rangeOf(over.map((o) => o.conversion_rate));
  const reward = rangeOf(over.map((o) => Math.log1p(o.total_user_reward)));
  const payout = rangeOf(over.map((o) => Math.log1p(o.payout)));
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
type Candidate = { offer: CatalogOffer; eligible: boolean; boosts: { ruleId: string; by: number }[] };

function candidates(input: RankingInput, dropped: DroppedOffer[]): Candidate[] {
  const kept: Candidate[] = [];
  for (const offer of input.offers) {
    const reason = targetingVerdict(offer, input.targeting);
    if (reason) {
      dropped.push({ offerId: offer.offer_id, reason });
      continue;
    }
    const completed = isCompleted(input.progress.get(offer.offer_id));
    if (completed && input.completedOffers === 'hide') {
      dropped.push({ offerId: offer.offer_id, reason: 'completed' });
      continue;
    }
    const verdict = applyEffects(input.effects, offer);
    if (!verdict.kept) {
      dropped.push({ offerId: offer.offer_id, reason: verdict.reason, ruleId: verdict.ruleId });
      continue;
    }
    kept.push({ offer, eligible: !completed, boosts: verdict.boosts });
  }
  return kept;
}

/**
 * Filters the catalog for one user and ranks what is left: best score first, ties by
 * offer id so equal offers always come in the same order, completed offers (when
 * shown) after every offer the user can still earn from.
 */
export function referenceRankOffers(input: RankingInput): Ranking {
  const dropped: DroppedOffer[] = [];
  const kept = candidates(input, dropped);
  const boostOf = new Map(kept.map((c) => [c.offer, c.boosts.reduce((s, b) => s + b.by, 0)]));
  const scores = scoreOffers(
    kept.map((c) => c.offer),
    kept.filter((c) => c.eligible).map((c) => c.offer),
    input.model,
    input.affinity,
    input.now,
    (o) => boostOf.get(o) ?? 0,
  );
  const ranked = kept
    .map((c, i) => ({ ...c, breakdown: scores[i] as ScoreBreakdown }))
    .sort(
      (a, b) =>
        Number(b.eligible) - Number(a.eligible) ||
        b.breakdown.score - a.breakdown.score ||
        a.offer.offer_id - b.offer.offer_id,
    );
  const offers = ranked.slice(0, input.limit).map((c, i) => ({
    offer: c.offer,
    progress: input.progress.get(c.offer.offer_id),
    eligible: c.eligible,
    score: c.breakdown.score,
    metric: c.breakdown.metric,
    breakdown: c.breakdown,
    boosts: c.boosts,
    rank: i + 1,
  }));
  const belowCut = ranked.slice(Math.max(0, input.limit)).map((c, i) => ({
    offerId: c.offer.offer_id,
    rank: Math.max(0, input.limit) + i + 1,
    score: c.breakdown.score,
  }));
  return { total: ranked.filter((c) => c.eligible).length, offers, dropped, belowCut };
}
