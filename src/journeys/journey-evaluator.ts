import type { RuleOutcome } from '../rules/engine/rule-set.js';
import type { SegmentMatch } from '../rules/segment-catalog.js';
import { type EngagementScore, engagementScore } from './domain/engagement-score.js';
import { type ProfileFacts, type UserFacts, userFacts } from './domain/fact-names.js';
import { isLive, type JourneyEvent, type JourneyUser, type Offer } from './domain/journey-types.js';
import { type OfferPlan, type OfferTrigger, type PlanMemo, planOffers } from './domain/offer-planner.js';
import {
  aggregateProfile,
  type EventTotals,
  type ProfileAggregates,
  profileAggregates,
} from './domain/profile-aggregates.js';
import { renderTemplate } from './domain/text-template.js';
import type { Classification, Decision, JourneysRules } from './rules/journeys-rules.js';
import type { RecommendationPriority } from './rules/journeys-schema.js';

export type { ProfileFacts } from './domain/fact-names.js';

export interface Recommendation {
  /** The rule's id: fixtures and explain name recommendations by it; the API does not show it. */
  id: string;
  priority: RecommendationPriority;
  name: string;
  reason: string;
}

/** Everything the rules said about one user at one instant, with the outcomes for explain. */
export interface JourneyEvaluation {
  profile: ProfileFacts;
  user: UserFacts;
  score: EngagementScore;
  churnFactors: { id: string; weight: number }[];
  segments: readonly string[];
  recommendations: Recommendation[];
  triggers: { trigger: OfferTrigger; matched: boolean }[];
  outcomes: {
    classify: RuleOutcome<Classification>[];
    segments: SegmentMatch | null;
    decide: RuleOutcome<Decision>[];
  };
}

/**
 * A user as the rules read them: the stored user, their offers, and their events or, when
 * a store has summed them where they are (JourneysStore.eventTotals), the events' totals.
 */
export type UserState = { user: JourneyUser; offers: readonly Offer[] } & (
  | { events: readonly JourneyEvent[] }
  | { totals: EventTotals }
);

function aggregatesOf(state: UserState, now: Date): ProfileAggregates {
  return 'totals' in state
    ? profileAggregates(state.user, state.totals, now)
    : aggregateProfile(state.user, state.events, now);
}

const RANK: Record<RecommendationPriority, number> = { high: 0, medium: 1, low: 2 };

function classification(rules: JourneysRules, matched: readonly Classification[]) {
  const stage = matched.find((c) => c.kind === 'stage')?.id ?? rules.defaultStage;
  // A value that fits no band (the fact is missing) takes the lowest band.
  const tier = matched.find((c) => c.kind === 'tier')?.id ?? rules.tiers[0] ?? 'none';
  const factors = matched.flatMap((c) => (c.kind === 'churn' ? [{ id: c.id, weight: c.weight }] : []));
  const risk = factors.reduce((sum, f) => sum + f.weight, 0);
  return { stage, tier, factors, churnRisk: Math.min(100, Math.max(0, Math.round(risk))) };
}

/**
 * The aggregates with the score and live offers, as one object literal: a spread of the
 * aggregates plus three keys cost ~10 µs per user on Node 20 (0.1 µs as a literal,
 * measured on 2,000,000 objects), once per user in a generation run. Typed so that a field
 * added to ProfileAggregates must be added here.
 */
function profileBase(
  a: ProfileAggregates,
  engagementScore: number,
  activeOffers: number,
  activeOfferTypes: string[],
): ProfileAggregates & Pick<ProfileFacts, 'engagementScore' | 'activeOffers' | 'activeOfferTypes'> {
  return {
    firstSeenAt: a.firstSeenAt,
    lastSeenAt: a.lastSeenAt,
    daysSinceFirstSeen: a.daysSinceFirstSeen,
    daysSinceLastSeen: a.daysSinceLastSeen,
    totalEvents: a.totalEvents,
    totalPlays: a.totalPlays,
    plays7d: a.plays7d,
    plays30d: a.plays30d,
    wins: a.wins,
    winRate: a.winRate,
    pointsEarned7d: a.pointsEarned7d,
    pointsEarned30d: a.pointsEarned30d,
    totalPointsEarned: a.totalPointsEarned,
    campaignsJoined: a.campaignsJoined,
    engagementScore,
    activeOffers,
    activeOfferTypes,
  };
}

/** The profile aggregates, score and live offers the classification reads. */
function baseFacts(
  rules: JourneysRules,
  state: UserState,
  now: Date,
  aggregates: ProfileAggregates = aggregatesOf(state, now),
) {
  const score = engagementScore(rules.score, aggregates);
  const live = state.offers.filter((o) => isLive(o, now));
  const base = profileBase(
    aggregates,
    score.score,
    live.length,
    live.length === 0 ? [] : [...new Set(live.map((o) => o.offerType))],
  );
  return { base, score, user: userFacts(state.user) };
}

function profileFacts(
  base: ReturnType<typeof baseFacts>['base'],
  c: ReturnType<typeof classification>,
): ProfileFacts {
  return { ...base, lifecycleStage: c.stage, engagementTier: c.tier, churnRisk: c.churnRisk };
}

/** What the generation job needs of evaluateJourney: the completed profile, the user and the triggers. */
export interface TriggerEvaluation {
  profile: ProfileFacts;
  user: UserFacts;
  triggers: { trigger: OfferTrigger; matched: boolean }[];
}

/**
 * evaluateJourney's decisions for the generation job, through the rule sets' matched
 * flags (the same cache and json-rules-engine runs) without outcome objects, traces or
 * recommendation texts: those were most of the job's time per user on a million users.
 * test/journeys/trigger-evaluation.test.ts holds it to evaluateJourney. `aggregates`: the
 * user's aggregateProfile at `now` when the caller has it already (computed here otherwise).
 */
export async function evaluateTriggers(
  rules: JourneysRules,
  state: UserState,
  now: Date,
  aggregates?: ProfileAggregates,
): Promise<TriggerEvaluation> {
  const { base, user } = baseFacts(rules, state, now, aggregates);
  const classified = await rules.classify.matchedData({ profile: base, user });
  // The classification's facts added to `base` in place rather than to a copy: base is
  // this call's own and classification is done with it (two object spreads per user were a
  // visible share of a generation run's CPU and garbage).
  const c = classification(rules, classified);
  const profile = base as ProfileFacts;
  profile.lifecycleStage = c.stage;
  profile.engagementTier = c.tier;
  profile.churnRisk = c.churnRisk;
  const segments = rules.segments ? await rules.segments.matchedIds({ profile, user }) : [];
  const matched = await rules.decide.matched({ profile, user, segments });
  const triggers: TriggerEvaluation['triggers'] = [];
  const decisions = rules.decide.data;
  for (let i = 0; i < decisions.length; i++) {
    const d = decisions[i] as Decision;
    if (d.kind === 'offer') triggers.push({ trigger: d.trigger, matched: matched[i] === 1 });
  }
  return { profile, user, triggers };
}

/**
 * Runs the app's rules for one user: aggregates and score, then the classification
 * RuleSet once, the needed segments once over the completed profile, the decision
 * RuleSet once. The caller reads the rules snapshot once and passes it in.
 */
export async function evaluateJourney(
  rules: JourneysRules,
  state: UserState,
  now: Date,
): Promise<JourneyEvaluation> {
  const { base, score, user } = baseFacts(rules, state, now);
  const classify = await rules.classify.evaluate({ profile: base, user });
  const c = classification(
    rules,
    classify.filter((o) => o.matched).map((o) => o.data),
  );
  const profile = profileFacts(base, c);
  const segments = rules.segments ? await rules.segments.evaluate({ profile, user }) : null;
  const facts = { profile, user, segments: segments?.ids ?? [] };
  const decide = await rules.decide.evaluate(facts);
  const recommendations = decide
    .flatMap((o) => (o.matched && o.data.kind === 'recommendation' ? [o.data.recommendation] : []))
    .sort((a, b) => RANK[a.priority] - RANK[b.priority])
    .map((r) => ({
      id: r.id,
      priority: r.priority,
      name: renderTemplate(r.name, facts),
      reason: renderTemplate(r.reason, facts),
    }));
  const triggers = decide.flatMap((o) =>
    o.data.kind === 'offer' ? [{ trigger: o.data.trigger, matched: o.matched }] : [],
  );
  return {
    profile,
    user,
    score,
    churnFactors: c.factors,
    segments: facts.segments,
    recommendations,
    triggers,
    outcomes: { classify, segments, decide },
  };
}

/** The offers the generation job would create for this user now. */
export function planUserOffers(
  rules: JourneysRules,
  evaluation: TriggerEvaluation,
  state: UserState,
  now: Date,
  newId: () => string,
  memo?: PlanMemo,
): OfferPlan {
  return planOffers({
    externalId: state.user.externalId,
    triggers: evaluation.triggers,
    offers: state.offers,
    limits: rules.limits,
    daysSinceLastSeen: evaluation.profile.daysSinceLastSeen,
    facts: { profile: evaluation.profile, user: evaluation.user },
    now,
    newId,
    ...(memo ? { memo } : {}),
  });
}
