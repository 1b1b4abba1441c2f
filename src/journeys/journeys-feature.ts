import { randomUUID } from 'node:crypto';
import { ApiKeys } from '../http/api-keys.js';
import type { Feature, FeatureDeps } from '../http/feature.js';
import { rulesVersionHeader } from '../rules/app-rules.js';
import type { Environment } from './domain/journey-types.js';
import { GenerationRuns } from './generation-runs.js';
import { runJourneysGeneration } from './journeys-generation.js';
import { createJourneysMetrics } from './journeys-metrics.js';
import { createJourneysRoutes } from './journeys-routes.js';
import { JourneysSchedule } from './journeys-schedule.js';
import { JourneysService } from './journeys-service.js';

/** The GamifyHost-compatible user-journeys API, its admin trigger and its scheduled generation job. */
export function createJourneysFeature(deps: FeatureDeps): Feature {
  const metrics = createJourneysMetrics(deps.metrics.registry);
  const store = deps.store.journeys;
  const logger = deps.logger.child({ feature: 'journeys' });
  const service = new JourneysService({ store, now: deps.now, newId: randomUUID, metrics });
  const runs = new GenerationRuns();

  /** One rules snapshot per run, read here once. */
  const generate = async (appId: string, trigger: string, environments?: readonly Environment[]) => {
    const rules = deps.rules.current(appId);
    if (!rules?.journeys || !deps.config.apps.some((a) => a.id === appId)) return null;
    const report = await runJourneysGeneration(
      { store, now: deps.now, logger, metrics, ...(deps.decisions ? { decisions: deps.decisions } : {}) },
      { rules, trigger, ...(environments ? { environments } : {}) },
    );
    runs.record(report);
    return { report, rulesVersion: rulesVersionHeader(rules) };
  };
  const schedule = new JourneysSchedule(
    // A disabled app answers no API call: its users get no scheduled offers either.
    deps.config.apps
      .filter((a) => a.status === 'active')
      .map((a) => ({ appId: a.id, schedule: a.journeys.schedule })),
    (appId) => generate(appId, 'schedule'),
    logger,
    (appId) => Boolean(deps.rules.current(appId)?.journeys),
  );
  const routeDeps = {
    keys: new ApiKeys(deps.config.apps),
    rules: deps.rules,
    service,
    now: deps.now,
    generate: (appId: string, environments: readonly Environment[] | undefined) =>
      generate(appId, 'admin', environments),
    runs: (appId: string) => (deps.config.apps.some((a) => a.id === appId) ? runs.list(appId) : null),
  };
  return {
    name: 'journeys',
    ...createJourneysRoutes(routeDeps, deps.limits),
    start: async () => schedule.start(),
    stop: () => schedule.stop(),
  };
}
