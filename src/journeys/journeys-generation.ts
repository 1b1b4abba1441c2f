import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { AppRules } from '../rules/app-rules.js';
import type { DecisionRecorder } from '../store/decisions/decision-recorder.js';
import type { Environment, NewOffer, Offer, Partition } from './domain/journey-types.js';
import { isLive } from './domain/journey-types.js';
import { PlanMemo } from './domain/offer-planner.js';
import { profileAggregates } from './domain/profile-aggregates.js';
import { evaluateTriggers, planUserOffers } from './journey-evaluator.js';
import type { JourneysMetrics } from './journeys-metrics.js';
import { generationSnapshot } from './journeys-snapshot.js';
import { timeOrderedIds } from './offer-ids.js';
import type { JourneysRules } from './rules/journeys-rules.js';
import type { JourneysStore, UserActivity } from './store/journeys-store.js';

export interface JourneysGenerationDeps {
  store: JourneysStore;
  now: () => Date;
  logger?: Logger;
  metrics?: JourneysMetrics;
  /**
   * Offer ids; time-ordered UUIDs (offer-ids.ts) unless a test or fixture fixes them. Time
   * order is what keeps a large run's writes cheap on PostgreSQL (a single INSERT … SELECT
   * of 3,000,000 offers: 154 s with random ids, 96 s with ordered ones).
   */
  newId?: () => string;
  /** Samples each user's decision into the decision log (replay, impact); absent: nothing recorded. */
  decisions?: DecisionRecorder;
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
 * users would hold the event loop for seconds and stall every request. Once it has
 * evaluated this long, the run lets other work in. A pause every 200 users (~30 ms with
 * the demo rules) held the loop 16 s with 1,500 offer rules, and the pool's connection
 * wait ran out (hostile probe): the time is what must be bounded, not the users.
 */
const YIELD_AFTER_MS = 20;

/** Adds the items to `counts`, by key; returns `counts`. */
function countBy<T>(
  items: readonly T[],
  key: (item: T) => string,
  counts: Record<string, number> = {},
): Record<string, number> {
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

const sum = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0);

/** A progress line every this many users scanned. */
const PROGRESS_EVERY = 100_000;

/** What one user gets planned, or why nothing (the cheap exits that cannot change the outcome). */
async function planUser(rules: JourneysRules, state: UserActivity, memo: PlanMemo, newId: () => string) {
  const now = memo.now;
  // Aggregated once: the evaluation reuses them (they were computed twice per user).
  const aggregates = profileAggregates(state.user, state.totals, now);
  if (aggregates.daysSinceLastSeen > rules.limits.inactivityDays) return 'inactive' as const;
  if (state.offers.filter((o: Offer) => isLive(o, now)).length >= rules.limits.maxActiveOffers)
    return 'atLimit' as const;
  const evaluation = await evaluateTriggers(rules, state, now, aggregates);
  return planUserOffers(rules, evaluation, state, now, newId, memo).create;
}

/**
 * Writes planned offers in large batches while planning goes on: up to two writes in
 * flight, so the database inserts one batch while the next is evaluated (two cores, two
 * processes busy), and a batch that takes longer to write than the next took to plan does
 * not stop the planning (the second write waits on the partition lock, on its own
 * connection; one in flight stalled more: 100k users 23.4 -> 20.7 s, two runs each at load
 * 5-6). The store re-checks every limit atomically per batch. Keeps counts,
 * not the offers: the report needs no more, and holding a million-user run's 3,000,000
 * offers until the report was most of its heap and garbage collection.
 */
class OfferWriter {
  /** The write before the last one, and the last one: at most two in flight. */
  private previous: Promise<void> = Promise.resolve();
  private last: Promise<void> = Promise.resolve();
  /** By offer type. */
  readonly created: Record<string, number> = {};
  /** By reason. */
  readonly rejected: Record<string, number> = {};

  constructor(
    private readonly store: JourneysStore,
    private readonly p: Partition,
    private readonly rules: JourneysRules,
    private readonly now: Date,
  ) {}

  async write(offers: NewOffer[]): Promise<void> {
    await this.previous;
    const write = this.store.createOffers(this.p, offers, this.rules.limits, this.now).then((r) => {
      countBy(r.created, (o) => o.offerType, this.created);
      countBy(r.rejected, (o) => o.reason, this.rejected);
    });
    // Awaited later (the next write but one, or done()): a failure meanwhile is not unhandled.
    write.catch(() => undefined);
    this.previous = this.last;
    this.last = write;
  }

  async done(): Promise<void> {
    await this.previous;
    await this.last;
  }
}

type Plan = Awaited<ReturnType<typeof planUser>>;

/**
 * A sample of the users' decisions for replay, with the state they were planned from
 * (read before this run's offers are written, which a replay must not see).
 */
function recordDecision(
  deps: JourneysGenerationDeps,
  p: Partition,
  rulesHash: string,
  state: UserActivity,
  plan: Plan,
  now: Date,
): void {
  deps.decisions?.record('journeys', now, () => ({
    appId: p.appId,
    userId: state.user.externalId,
    rulesHash,
    request: { externalId: state.user.externalId, environment: p.environment },
    outcome:
      typeof plan === 'string' ? { reason: plan, offers: [] } : { offers: plan.map((o) => o.offerType) },
    snapshot: generationSnapshot(deps.store, p, state.user, state.offers),
  }));
}

const rounded = (waits: Record<string, number>) =>
  Object.fromEntries(Object.entries(waits).map(([k, v]) => [k, Math.round(v)]));

async function planPartition(
  rules: JourneysRules,
  rulesHash: string,
  deps: JourneysGenerationDeps,
  p: Partition,
  now: Date,
  batchSize: number,
) {
  const newId = deps.newId ?? timeOrderedIds();
  const memo = new PlanMemo(now);
  const writer = new OfferWriter(deps.store, p, rules, now);
  let planned: NewOffer[] = [];
  let offersPlanned = 0;
  const counts = { usersScanned: 0, usersInactive: 0, usersAtLimit: 0 };
  // Where the run's time goes, for the log lines: waiting for the store's reads, waiting
  // for its writes; the rest is evaluation in this process.
  const waits = { readWaitMs: 0, writeWaitMs: 0 };
  const started = performance.now();
  let waitingSince = started;
  let lastTurn = performance.now();
  for await (const batch of deps.store.scanUsers(p, batchSize, now)) {
    waits.readWaitMs += performance.now() - waitingSince;
    for (const activity of batch) {
      counts.usersScanned++;
      if (performance.now() - lastTurn >= YIELD_AFTER_MS) {
        await nextTurn();
        lastTurn = performance.now();
      }
      if (counts.usersScanned % PROGRESS_EVERY === 0) {
        const ms = Math.round(performance.now() - started);
        const usersPerSecond = Math.round((counts.usersScanned / Math.max(1, ms)) * 1000);
        deps.logger?.info(
          { journeysGeneration: { ...p, ...counts, offersPlanned, ms, usersPerSecond, ...rounded(waits) } },
          'journeys generation progress',
        );
      }
      // The store's offer arrays are live views: copy before the first await.
      const state: UserActivity = {
        user: activity.user,
        totals: activity.totals,
        offers: [...activity.offers],
      };
      const plan = await planUser(rules, state, memo, newId);
      recordDecision(deps, p, rulesHash, state, plan, now);
      if (plan === 'inactive') counts.usersInactive++;
      else if (plan === 'atLimit') counts.usersAtLimit++;
      else {
        planned.push(...plan);
        offersPlanned += plan.length;
      }
    }
    if (planned.length >= deps.store.offersPerCreate) {
      const t = performance.now();
      await writer.write(planned);
      waits.writeWaitMs += performance.now() - t;
      planned = [];
    }
    waitingSince = performance.now();
  }
  const t = performance.now();
  if (planned.length > 0) await writer.write(planned);
  await writer.done();
  waits.writeWaitMs += performance.now() - t;
  return { created: writer.created, rejected: writer.rejected, counts, waits: rounded(waits) };
}

async function runPartition(
  rules: JourneysRules,
  rulesHash: string,
  deps: JourneysGenerationDeps,
  p: Partition,
  now: Date,
  batchSize: number,
): Promise<{ report: EnvironmentReport; waits: Record<string, number> }> {
  const expired = await deps.store.expireDue(p, now);
  const { created, rejected, counts, waits } = await planPartition(rules, rulesHash, deps, p, now, batchSize);
  const report = {
    environment: p.environment,
    ...counts,
    offersCreated: created,
    offersExpired: expired,
    offersRejected: rejected,
  };
  return { report, waits };
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
 * insert them in batches of the store's `offersPerCreate` while planning goes on (each
 * store call re-checks every limit atomically, so overlapping runs never exceed one). A
 * progress line every PROGRESS_EVERY users; the final line carries the report (users,
 * offers, duration). Called by the schedule, `POST /admin/apps/:appId/journeys/generate`
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
  // Per environment, only in the log line: the report is the admin API's answer.
  const waits: Record<string, Record<string, number>> = {};
  for (const environment of options.environments ?? ENVIRONMENTS) {
    const p = { appId: rules.appId, environment };
    const run = await runPartition(rules.journeys, rules.hash, deps, p, now, options.batchSize ?? 1000);
    environments.push(run.report);
    waits[environment] = run.waits;
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
  // The rate is what tells a run on a million users from one on a thousand at a glance.
  const usersPerSecond = Math.round((report.totals.usersScanned / Math.max(1, report.durationMs)) * 1000);
  deps.logger?.info(
    { journeysGeneration: { ...report, usersPerSecond, waits } },
    'journeys offer generation finished',
  );
  return report;
}
