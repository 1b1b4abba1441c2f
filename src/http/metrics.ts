import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { DecisionCacheStats } from '../rules/engine/decision-cache.js';
import type { ReloadOutcome } from '../rules/rules-status.js';

/** The service's Prometheus metrics; features register theirs on `registry`. */
export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'route' | 'method' | 'status'>;
  rulesReloads: Counter<'app' | 'result'>;
  rulesActive: Gauge<'app' | 'version' | 'hash'>;
}

/** `decisionStats`: the rules loader's decision cache lookups (main.ts hands them over). */
export function createMetrics(decisionStats: DecisionCacheStats = new DecisionCacheStats()): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'offerd_' });
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
      help: 'HTTP request latency by route and status',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
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
