import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { AppRules } from '../rules/app-rules.js';
import type { Environment, NewOffer, Offer, Partition } from './domain/journey-types.js';
import { isLive } from './domain/journey-types.js';
import { aggregateProfile } from './domain/profile-aggregates.js';
import { evaluateJourney, planUserOffers } from './journey-evaluator.js';
import type { JourneysMetrics } from './journeys-metrics.js';
import type { JourneysRules } from './rules/journeys-rules.js';
import type { JourneysStore, UserActivity } from './store/journeys-store.js';

export interface JourneysGenerationDeps {
  store: JourneysStore;
  now: () => Date;
  logger?: Logger;
  metrics?: JourneysMetrics;
  /** Offer ids; random UUIDs unless a test or fixture fixes them. */
  newId?: () => string;
}

export interface JourneysGenerationOptions {
  /** The app's rules snapshot, read once by the caller and used for the whole run. */
  rules: AppRules;
  /** Both environments unless narrowed. */
  environments?: readonly Environment[];
  /** What started the run, for the log line and metrics: schedule, admin, cli... */
  trigger?: string;
  /** Users per store read. */
  batchSize?: number;
}

export interface EnvironmentReport {
  environment: Environment;
  usersScanned: number;
  /** Not seen for longer than `inactivityDays`: no new offers. */
  usersInactive: number;
  /** Already holding the maximum of active offers. */
  usersAtLimit: number;
  offersCreated: Record<string, number>;
  offersExpired: Record<string, number>;
  /** Planned offers the store refused at insert time (a concurrent run got there first), by reason. */
  offersRejected: Record<string, number>;
}

export interface GenerationReport {
  appId: string;
  rulesVersion: string;
  trigger: string;
  startedAt: string;
  durationMs: number;
  environments: EnvironmentReport[];
  totals: { usersScanned: number; offersCreated: number; offersExpired: number };
}

const ENVIRONMENTS: readonly Environment[] = ['live', 'test'];
/**
 * Rule evaluation only awaits promises, never I/O: without a pause a run over 100,000
 * users would hold the event loop for seconds and stall every request. Every this many
 * users the run lets other work in (≈30 ms of evaluation at the measured rate).
 */
const YIELD_EVERY = 200;

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

const sum = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0);

async function planPartition(
  rules: JourneysRules,
  store: JourneysStore,
  p: Partition,
  now: Date,
  newId: () => string,
  batchSize: number,
) {
  const planned: NewOffer[] = [];
  const counts = { usersScanned: 0, usersInactive: 0, usersAtLimit: 0 };
  for await (const batch of store.scanUsers(p, batchSize)) {
    for (const activity of batch) {
      if (++counts.usersScanned % YIELD_EVERY === 0) await nextTurn();
      // The store's arrays are live views: copy before the first await.
      const state: UserActivity = {
        user: activity.user,
        events: [...activity.events],
        offers: [...activity.offers],
      };
      const seen = aggregateProfile(state.user, state.events, now).daysSinceLastSeen;
      // Cheap exits that cannot change the outcome: the planner would create nothing for these.
      if (seen > rules.limits.inactivityDays) {
        counts.usersInactive++;
        continue;
      }
      if (state.offers.filter((o: Offer) => isLive(o, now)).length >= rules.limits.maxActiveOffers) {
        counts.usersAtLimit++;
        continue;
      }
      const evaluation = await evaluateJourney(rules, state, now);
      planned.push(...planUserOffers(rules, evaluation, state, now, newId).create);
    }
  }
  return { planned, counts };
}

async function runPartition(
  rules: JourneysRules,
  deps: JourneysGenerationDeps,
  p: Partition,
  now: Date,
  batchSize: number,
): Promise<EnvironmentReport> {
  const expired = await deps.store.expireDue(p, now);
  const { planned, counts } = await planPartition(
    rules,
    deps.store,
    p,
    now,
    deps.newId ?? randomUUID,
    batchSize,
  );
  // One store call, one commit, for every offer of the run.
  const { created, rejected } = await deps.store.createOffers(p, planned, rules.limits, now);
  return {
    environment: p.environment,
    ...counts,
    offersCreated: countBy(created, (o) => o.offerType),
    offersExpired: countBy(expired, (o) => o.offerType),
    offersRejected: countBy(rejected, (r) => r.reason),
  };
}

function record(metrics: JourneysMetrics, report: GenerationReport): void {
  const app = report.appId;
  metrics.generationRuns.inc({ app, trigger: report.trigger });
  metrics.generationDuration.observe({ app }, report.durationMs / 1000);
  for (const env of report.environments) {
    const environment = env.environment;
    metrics.usersScanned.inc({ app, environment }, env.usersScanned);
    for (const [offer_type, n] of Object.entries(env.offersCreated))
      metrics.offersCreated.inc({ app, environment, offer_type }, n);
    for (const [offer_type, n] of Object.entries(env.offersExpired))
      metrics.offersExpired.inc({ app, environment, offer_type }, n);
  }
}

/**
 * The offer generation job for one app: per environment, expire the offers that are
 * due, then plan offers for every user by trigger priority within the limits and
 * insert them in one store call (which re-checks every limit atomically, so overlapping
 * runs never exceed one). Called by the schedule, `POST /admin/apps/:appId/journeys/generate`
 * and `offerd journeys generate`. Throws when the app has no Journeys rules.
 */
export async function runJourneysGeneration(
  deps: JourneysGenerationDeps,
  options: JourneysGenerationOptions,
): Promise<GenerationReport> {
  const { rules } = options;
  if (!rules.journeys) throw new Error(`app '${rules.appId}' has no Journeys rules`);
  const started = performance.now();
  const now = deps.now();
  const environments: EnvironmentReport[] = [];
  for (const environment of options.environments ?? ENVIRONMENTS) {
    const p = { appId: rules.appId, environment };
    environments.push(await runPartition(rules.journeys, deps, p, now, options.batchSize ?? 1000));
  }
  const report: GenerationReport = {
    appId: rules.appId,
    rulesVersion: rules.version,
    trigger: options.trigger ?? 'manual',
    startedAt: now.toISOString(),
    durationMs: Math.round(performance.now() - started),
    environments,
    totals: {
      usersScanned: environments.reduce((n, e) => n + e.usersScanned, 0),
      offersCreated: environments.reduce((n, e) => n + sum(e.offersCreated), 0),
      offersExpired: environments.reduce((n, e) => n + sum(e.offersExpired), 0),
    },
  };
  if (deps.metrics) record(deps.metrics, report);
  deps.logger?.info({ journeysGeneration: report }, 'journeys offer generation finished');
  return report;
}
