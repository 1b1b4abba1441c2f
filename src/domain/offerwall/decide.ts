import { type DropReason, isCompleted, type Targeting, targetingVerdict } from './eligibility.js';
import type { CatalogOffer } from './offer.js';
import type { OfferProgress } from './progress.js';
import { type RankingModel, type ScoreBreakdown, scoreOffers } from './ranking.js';
import { applyEffects, type RuleEffect } from './rule-effects.js';

/** What to do with offers the user already completed (rule file: `completedOffers`). */
export type CompletedOffers = 'hide' | 'show';

export interface RankingInput {
  offers: readonly CatalogOffer[];
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
export function rankOffers(input: RankingInput): Ranking {
  const dropped: DroppedOffer[] = [];
  const kept = candidates(input, dropped);
  const boostOf = new Map(kept.map((c) => [c.offer, c.boosts.reduce((s, b) => s + b.by, 0)]));
  const scores = scoreOffers(
    kept.map((c) => c.offer),
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
    breakdown: c.breakdown,
    boosts: c.boosts,
    rank: i + 1,
  }));
  return { total: ranked.length, offers, dropped };
}
