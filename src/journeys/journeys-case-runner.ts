import type { AppConfig } from '../config/config-types.js';
import type { ApiCaseRunner, CaseInput, CaseOutcome } from '../fixtures/api-case-runner.js';
import { importSnapshot } from '../fixtures/user-snapshot.js';
import type { AppRules } from '../rules/app-rules.js';
import { traced } from '../rules/engine/rule-set.js';
import type { Environment, Offer, Partition } from './domain/journey-types.js';
import { isLive } from './domain/journey-types.js';
import {
  evaluateJourney,
  type JourneyEvaluation,
  planUserOffers,
  type UserState,
} from './journey-evaluator.js';
import { type JourneysState, seedJourneysState } from './journeys-fixture-state.js';
import { runJourneysGeneration } from './journeys-generation.js';
import { journeysSnapshot } from './journeys-snapshot.js';
import type { JourneysRules } from './rules/journeys-rules.js';
import { JourneysDocumentStore } from './store/journeys-document-store.js';
import type { JourneysStore } from './store/journeys-store.js';

/** Ids like UUIDs, numbered: the same case gives the same ids on every run. */
function fixtureIds(): () => string {
  let n = 0;
  return () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/** The "why" of a case: each classification rule and trigger with its condition trace and fact values. */
async function explain(rules: JourneysRules, e: JourneyEvaluation, verdicts: Record<string, string>) {
  const classify = await traced(e.outcomes.classify);
  const segments = await traced(e.outcomes.segments?.outcomes ?? []);
  const decide = await traced(e.outcomes.decide);
  const of = (kind: string) => classify.filter((o) => o.data.kind === kind);
  return {
    profile: e.profile,
    score: e.score.breakdown,
    lifecycle: {
      stage: e.profile.lifecycleStage,
      byDefault: !of('stage').some((o) => o.matched),
      rules: of('stage').map((o) => ({ stage: o.data.id, matched: o.matched, conditions: o.conditions })),
    },
    tier: {
      tier: e.profile.engagementTier,
      bands: of('tier').map((o) => ({ tier: o.data.id, matched: o.matched, conditions: o.conditions })),
    },
    churnRisk: {
      risk: e.profile.churnRisk,
      factors: of('churn').map((o) => ({
        factor: o.data.id,
        weight: o.data.kind === 'churn' ? o.data.weight : 0,
        matched: o.matched,
        conditions: o.conditions,
      })),
    },
    segments: segments.map((o) => ({
      segment: o.id,
      matched: o.matched,
      conditions: o.conditions,
    })),
    offers: decide
      .filter((o) => o.data.kind === 'offer')
      .map((o) => ({
        offerType: o.id.replace(/^offer:/, ''),
        verdict: verdicts[o.id.replace(/^offer:/, '')],
        blockedBy: blockedBy(rules, e, o.id.replace(/^offer:/, ''), verdicts),
        conditions: o.conditions,
      })),
    recommendations: e.recommendations,
    limits: rules.limits,
  };
}

/** The limit behind a blocked trigger, in words with its value; null for created or unmatched. */
function blockedBy(
  rules: JourneysRules,
  e: JourneyEvaluation,
  offerType: string,
  verdicts: Record<string, string>,
): string | null {
  const { limits } = rules;
  switch (verdicts[offerType]) {
    case 'inactive':
      return `inactivityDays ${limits.inactivityDays} (last seen ${round2(e.profile.daysSinceLastSeen)} days ago)`;
    case 'type_active':
      return `maxActivePerType ${limits.maxActivePerType} (an offer of this type is still active)`;
    case 'cooldown': {
      const ms = rules.triggers.find((t) => t.offerType === offerType)?.cooldownMs ?? 0;
      return `cooldown ${round2(ms / 86_400_000)} days since the last ${offerType} offer`;
    }
    case 'max_active':
      return `maxActiveOffers ${limits.maxActiveOffers} (the user holds that many active offers)`;
    default:
      return null;
  }
}

/**
 * The offers a run created (in `after`, not in `before`), by trigger priority, with the fields
 * a player is shown: type, game, title, description, points, metadata, and how long the offer
 * runs (not its expiry instant, which moves with the clock).
 */
function createdOffers(before: readonly Offer[], after: readonly Offer[], byPriority: readonly string[]) {
  const held = new Set(before.map((o) => o.id));
  return after
    .filter((o) => !held.has(o.id))
    .sort((a, b) => byPriority.indexOf(a.offerType) - byPriority.indexOf(b.offerType))
    .map((o) => ({
      offerType: o.offerType,
      gameType: o.gameType,
      title: o.title,
      description: o.description,
      pointsValue: o.pointsValue,
      expiresInMinutes: Math.round((Date.parse(o.expiresAt) - Date.parse(o.createdAt)) / 60_000),
      metadata: o.metadata,
    }));
}

/**
 * Runs a journeys fixture case through the server's own code: the state is seeded into a
 * fresh memory store through the port, the user is evaluated by the same evaluator as
 * GET /users/{externalId}, and one generation run (runJourneysGeneration, as the
 * schedule and the admin route call it) decides the offers. Request: `{externalId,
 * environment?}` (default test). `actual` keys: lifecycleStage, engagementTier,
 * engagementScore, churnRisk, totalPlays, plays7d, plays30d, pointsEarned7d,
 * pointsEarned30d, campaignsJoined, winRate, totalEvents, daysSinceLastSeen (2 decimals),
 * recommendations (rule ids, by priority), segments, reason (MATCH, NO_MATCH, LIMITED,
 * INACTIVE), offers (types created by the run, by priority), created (those offers as shown:
 * type, game, title, description, points, metadata, expiresInMinutes), activeOffers (types active
 * after the run, sorted), expired (types the run marked expired), verdicts (`type=verdict`
 * by priority; verdict: created, no_match, inactive, type_active, cooldown, max_active).
 */
export class JourneysCaseRunner implements ApiCaseRunner {
  readonly api = 'journeys' as const;
  readonly resultKeys = [
    'lifecycleStage',
    'engagementTier',
    'engagementScore',
    'churnRisk',
    'totalPlays',
    'plays7d',
    'plays30d',
    'pointsEarned7d',
    'pointsEarned30d',
    'campaignsJoined',
    'winRate',
    'totalEvents',
    'daysSinceLastSeen',
    'recommendations',
    'segments',
    'reason',
    'offers',
    'created',
    'activeOffers',
    'expired',
    'verdicts',
  ] as const;
  readonly snapshot = journeysSnapshot;

  async run(rules: AppRules, _app: AppConfig, input: CaseInput): Promise<CaseOutcome> {
    const journeys = rules.journeys;
    if (!journeys) throw new Error(`app '${rules.appId}' has no Journeys rules`);
    const externalId = String(input.request.externalId ?? 'fixture-user');
    const environment: Environment =
      (input.snapshot?.environment ?? input.request.environment) === 'live' ? 'live' : 'test';
    const p: Partition = { appId: rules.appId, environment };
    const now = input.now;
    const newId = fixtureIds();
    // A fresh in-memory journeys store per case (nothing to close): no case leaks into the next.
    const store = { journeys: await JourneysDocumentStore.open(null) };
    {
      if (input.snapshot) await importSnapshot(store.journeys, input.snapshot);
      else await seedJourneysState(store.journeys, p, externalId, input.state as JourneysState, now, newId);
      const state = await this.stateOf(store, p, externalId);
      const evaluation = await evaluateJourney(journeys, state, now);
      const plan = planUserOffers(journeys, evaluation, state, now, () => 'dry-run');
      const report = await runJourneysGeneration(
        { store: store.journeys, now: () => now, newId },
        { rules, environments: [environment], trigger: 'fixture' },
      );
      const after = await store.journeys.userOffers(p, externalId);
      const env = report.environments[0];
      const verdicts = Object.fromEntries(plan.verdicts.map((v) => [v.offerType, v.verdict]));
      const created = new Set(Object.keys(env?.offersCreated ?? {}));
      const byPriority = [...journeys.triggers]
        .sort((a, b) => b.priority - a.priority)
        .map((t) => t.offerType);
      const pr = evaluation.profile;
      return {
        actual: {
          lifecycleStage: pr.lifecycleStage,
          engagementTier: pr.engagementTier,
          engagementScore: pr.engagementScore,
          churnRisk: pr.churnRisk,
          totalPlays: pr.totalPlays,
          plays7d: pr.plays7d,
          plays30d: pr.plays30d,
          pointsEarned7d: pr.pointsEarned7d,
          pointsEarned30d: pr.pointsEarned30d,
          campaignsJoined: pr.campaignsJoined,
          winRate: pr.winRate,
          totalEvents: pr.totalEvents,
          daysSinceLastSeen: round2(pr.daysSinceLastSeen),
          recommendations: evaluation.recommendations.map((r) => r.id),
          segments: evaluation.segments,
          reason: plan.reason,
          offers: byPriority.filter((type) => created.has(type)),
          // What the player is shown of each offer the run created (impact reports compare it).
          created: createdOffers(state.offers, after, byPriority),
          activeOffers: after
            .filter((o) => isLive(o, now))
            .map((o) => o.offerType)
            .sort(),
          expired: Object.keys(env?.offersExpired ?? {}).sort(),
          verdicts: plan.verdicts.map((v) => `${v.offerType}=${v.verdict}`),
        },
        explanation: await explain(journeys, evaluation, verdicts),
      };
    }
  }

  private async stateOf(
    store: { journeys: JourneysStore },
    p: Partition,
    externalId: string,
  ): Promise<UserState> {
    const user = await store.journeys.getUser(p, externalId);
    if (!user) throw new Error(`fixture user '${externalId}' was not stored`);
    const [events, offers] = await Promise.all([
      store.journeys.userEvents(p, externalId),
      store.journeys.userOffers(p, externalId),
    ]);
    return { user, events, offers };
  }
}
