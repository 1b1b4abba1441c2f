import type { Middleware } from 'koa';
import { ApiRouter } from '../http/api-router.js';
import type { Metrics } from '../http/metrics.js';

export interface Readiness {
  /** Null when ready, else why not. */
  notReady(): Promise<string | null>;
}

/**
 * /healthz (cheap: the process answers), /readyz (rules and store ready), /metrics.
 * `metricsGuard`: what /metrics requires first, when OFFERD_METRICS_TOKEN is set (its
 * samples name every app, its rules versions and traffic: not for the public).
 */
export function opsRoutes(readiness: Readiness, metrics: Metrics, metricsGuard?: Middleware): ApiRouter {
  const router = new ApiRouter({ family: 'neutral', before: [] });
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const reason = await readiness.notReady();
    ctx.status = reason ? 503 : 200;
    ctx.body = reason ? { status: 'not ready', reason } : { status: 'ready' };
  });
  router.get('/metrics', ...(metricsGuard ? [metricsGuard] : []), async (ctx) => {
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });
  return router;
}
