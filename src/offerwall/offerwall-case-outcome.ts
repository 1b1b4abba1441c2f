import type { CaseOutcome } from '../fixtures/api-case-runner.js';
import { AppError } from '../http/app-error.js';
import { traced } from '../rules/engine/rule-set.js';
import { expandSegments } from '../rules/engine/trace.js';
import type { Ban } from './domain/bans.js';
import type { DroppedOffer, Ranking } from './domain/decide.js';
import { specOf } from './domain/rule-effects.js';
import type { WhyNot } from './domain/why-not.js';
import { offerwallHttpError } from './offerwall-http-errors.js';
import { bannedError, type PersonalizedOutcome } from './offerwall-service.js';

/** What an offerwall fixture case's outcome says: its `actual` keys and its explanation. */

const unique = <T>(xs: T[]) => [...new Set(xs)].sort();

/**
 * A ban that answered before the request's other bad parameters: the 403 the live route
 * throws, with those parameters (`alsoInvalid`) for an explanation to say what it did not reach.
 */
export function bannedBefore(ban: Ban, invalid: AppError): CaseOutcome {
  const err = offerwallHttpError(bannedError(ban));
  if (!(err instanceof AppError)) throw err;
  return {
    actual: { status: err.status, error: err.code, reason: err.code, segments: [], matchedRules: [] },
    explanation: {
      ban,
      alsoInvalid: { code: invalid.code, message: invalid.message, fields: invalid.fields },
    },
  };
}

export async function describe(
  outcome: PersonalizedOutcome,
  seen: { country: string | null; device: string | null; numoffers: number },
  explainDrops: (dropped: DroppedOffer[], ruleTraces: Map<string, unknown>) => WhyNot[],
): Promise<CaseOutcome> {
  if ('ban' in outcome) {
    return {
      actual: {
        status: 403,
        error: outcome.reason,
        reason: outcome.reason,
        segments: [],
        matchedRules: [],
        country: seen.country,
        device: seen.device,
      },
      explanation: { ban: outcome.ban },
    };
  }
  const { ranking } = outcome;
  const segments = await traced(outcome.segments.outcomes);
  const rules = await traced(outcome.rules);
  const segmentTraces = new Map(segments.map((o) => [o.id, o.conditions]));
  const shown = ranking.offers;
  const dropped: Record<string, number> = {};
  for (const d of ranking.dropped) dropped[d.reason] = (dropped[d.reason] ?? 0) + 1;
  const matchedRules = outcome.rules.filter((r) => r.matched).map((r) => r.id);
  const ok = outcome.reason === 'RANKED';
  const whyNot = explainDrops(
    ranking.dropped,
    new Map(rules.map((o) => [o.id, expandSegments(o.conditions, segmentTraces)])),
  );
  return {
    actual: {
      status: ok ? 200 : 404,
      error: ok ? null : outcome.reason,
      reason: outcome.reason,
      segments: outcome.segments.ids,
      matchedRules,
      country: seen.country,
      device: seen.device,
      total: ranking.total,
      limit: shown.length,
      offerIds: shown.map((r) => r.offer.offer_id),
      topOfferId: shown[0]?.offer.offer_id ?? null,
      // What the business reads of the shown offers (impact reports: EPC, reward, payout, names).
      topOffers: shown.map((r) => ({
        offerId: r.offer.offer_id,
        name: r.offer.offer_name,
        epc: r.offer.epc,
        userReward: r.offer.total_user_reward,
        payout: r.offer.payout,
      })),
      topCategory: shown[0]?.offer.category ?? null,
      offerTypes: unique(shown.map((r) => r.offer.offer_type)),
      categories: unique(shown.map((r) => r.offer.category)),
      platforms: unique(shown.map((r) => r.offer.platform ?? 'any')),
      minUserReward: shown.length > 0 ? Math.min(...shown.map((r) => r.offer.total_user_reward)) : null,
      inProgress: shown.filter((r) => r.progress?.status === 'in_progress').map((r) => r.offer.offer_id),
      userCompleted: shown.filter((r) => r.progress?.status === 'completed').map((r) => r.offer.offer_id),
      dropped,
    },
    explanation: {
      facts: outcome.facts,
      segments: segments.map((o) => ({ id: o.id, matched: o.matched, trace: o.conditions })),
      rules: rules.map((o) => ({
        id: o.id,
        matched: o.matched,
        effect: specOf(o.data),
        trace: o.conditions,
      })),
      ranked: shown.map((r) => ({
        rank: r.rank,
        offerId: r.offer.offer_id,
        category: r.offer.category,
        offerType: r.offer.offer_type,
        ...r.breakdown,
        boosts: r.boosts,
      })),
      whyNot,
      offers: everyOffer(ranking, seen.numoffers, whyNot),
    },
  };
}

/** One line per catalog offer: shown at its rank, ranked below the cut, or why it was dropped. */
function everyOffer(ranking: Ranking, numoffers: number, whyNot: readonly WhyNot[]) {
  const of = ranking.total;
  return [
    ...ranking.offers.map((r) => ({
      offerId: r.offer.offer_id,
      shown: true,
      reason: `shown at rank ${r.rank} of ${of}`,
    })),
    ...ranking.belowCut.map((b) => ({
      offerId: b.offerId,
      shown: false,
      reason: `ranked below the cut (rank ${b.rank} of numoffers ${numoffers})`,
    })),
    ...whyNot.map((w) => ({
      offerId: w.offerId,
      shown: false,
      reason: `dropped: ${w.reason}${w.ruleId ? ` by rule ${w.ruleId}` : ''} (${w.clause})`,
    })),
  ];
}
