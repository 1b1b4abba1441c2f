import type { Middleware } from 'koa';
import { ApiRouter } from '../http/api-router.js';
import { AppError } from '../http/app-error.js';
import type { Metrics } from '../http/metrics.js';

export interface Readiness {
  /** Null when ready, else why not. */
  notReady(): Promise<string | null>;
}

const OPS_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** The path as the client sent it: before leading slashes were merged, without an absolute form's origin. */
function sentPath(originalUrl: string): string {
  const path = originalUrl.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '');
  const end = path.search(/[?#]/);
  return end < 0 ? path : path.slice(0, end);
}

/**
 * Each ops path answers only as spelled here. The router matches `/METRICS`, `/metrics/` and
 * (leading slashes merged) `//metrics` too, so a proxy rule denying exactly `/metrics` (how
 * docs/security.md keeps it private without OFFERD_METRICS_TOKEN) was stepped around (hostile
 * probe). Any other spelling is the neutral 404 of a path no API knows.
 */
const exactPath: Middleware = (ctx, next) => {
  if (!OPS_PATHS.has(sentPath(ctx.originalUrl))) throw new AppError('NOT_FOUND', 'Not found');
  return next();
};

/**
 * /healthz (cheap: the process answers), /readyz (rules and store ready), /metrics.
 * `metricsGuard`: what /metrics requires first, when OFFERD_METRICS_TOKEN is set (its
 * samples name every app, its rules versions and traffic: not for the public).
 */
export function opsRoutes(readiness: Readiness, metrics: Metrics, metricsGuard?: Middleware): ApiRouter {
  const router = new ApiRouter({ family: 'neutral', before: [exactPath] });
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
