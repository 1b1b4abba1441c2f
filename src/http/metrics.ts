import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { DecisionCacheStats } from '../rules/engine/decision-cache.js';
import type { ReloadOutcome } from '../rules/rules-status.js';

/** The service's Prometheus metrics; features register theirs on `registry`. */
export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'route' | 'method' | 'status'>;
  httpResponses: Counter<'status'>;
  rulesReloads: Counter<'app' | 'result'>;
  rulesActive: Gauge<'app' | 'version' | 'hash'>;
}

/** Each app's rules as the registry sees them now: whether a rollback pins them, whether the last reload failed. */
export interface RulesStates {
  status(): { appId: string; pinned: unknown; lastError: unknown }[];
}

/**
 * `decisionStats`: the rules loader's decision cache lookups (main.ts hands them over);
 * `rulesStates`: read at each scrape for the pinned and failing gauges (an instance pinned to
 * a rollback, or serving older rules than its files, had nothing to alert on; operator probe).
 */
export function createMetrics(
  decisionStats: DecisionCacheStats = new DecisionCacheStats(),
  rulesStates?: () => RulesStates,
): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'offerd_' });
  if (rulesStates) registerRulesStates(registry, rulesStates);
  new Counter({
    name: 'offerd_rules_decision_cache_lookups_total',
    help: 'Rule set evaluations answered from the decision cache (hit) or by json-rules-engine (miss)',
    labelNames: ['result'],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ result: 'hit' }, decisionStats.hits);
      this.inc({ result: 'miss' }, decisionStats.misses);
    },
  });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'offerd_http_request_duration_seconds',
      help: 'HTTP request latency by route, method and status (client errors as 4xx: see httpLabels)',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    httpResponses: new Counter({
      name: 'offerd_http_responses_total',
      help: 'HTTP responses by status code, every route together',
      labelNames: ['status'],
      registers: [registry],
    }),
    rulesReloads: new Counter({
      name: 'offerd_rules_reloads_total',
      help: 'Rule reloads by app and result (activated, unchanged, pinned, failed)',
      labelNames: ['app', 'result'],
      registers: [registry],
    }),
    rulesActive: new Gauge({
      name: 'offerd_rules_active_info',
      help: 'The active rules version of each app (value 1)',
      labelNames: ['app', 'version', 'hash'],
      registers: [registry],
    }),
  };
}

function registerRulesStates(registry: Registry, rulesStates: () => RulesStates): void {
  const gauge = (
    name: string,
    help: string,
    value: (s: ReturnType<RulesStates['status']>[number]) => boolean,
  ) =>
    new Gauge({
      name,
      help,
      labelNames: ['app'],
      registers: [registry],
      collect() {
        this.reset();
        for (const s of rulesStates().status()) this.set({ app: s.appId }, value(s) ? 1 : 0);
      },
    });
  gauge(
    'offerd_rules_pinned',
    'Whether a rollback pins the app to a snapshot (1) until the next reload',
    (s) => s.pinned !== null,
  );
  gauge(
    'offerd_rules_last_reload_failed',
    "Whether the app's last reload failed (1): it serves older rules than its files",
    (s) => s.lastError !== null,
  );
}

/** The rules each app serves, by id (the registry's view). */
interface ServedRules {
  appIds(): string[];
  current(appId: string): { version: string; hash: string } | undefined;
}

/** Counts a reload's outcome; after an activation, names the rules every app serves now. */
export function recordReload(metrics: Metrics, outcome: ReloadOutcome, rules: ServedRules): void {
  metrics.rulesReloads.inc({ app: outcome.appId, result: outcome.result });
  if (outcome.result !== 'activated' || !rules.current(outcome.appId)) return;
  metrics.rulesActive.reset();
  for (const app of rules.appIds()) {
    const r = rules.current(app);
    if (r) metrics.rulesActive.set({ app, version: r.version, hash: r.hash }, 1);
  }
}
