import type { Middleware } from 'koa';
import { ApiRouter } from '../http/api-router.js';
import { AppError } from '../http/app-error.js';
import type { Metrics } from '../http/metrics.js';

export interface ReadinessState {
  /** Null when ready, else why not (503). */
  notReady: string | null;
  /**
   * Active apps with no valid rules yet (their APIs answer 503 RULES_NOT_READY). While another
   * app serves, the instance stays ready (200) and names them: one new app's broken first rules
   * took every app's instances out of their load balancer.
   */
  notServing: readonly string[];
}

export interface Readiness {
  state(): Promise<ReadinessState>;
}

/** The reason that names the apps without valid rules yet. */
export function noRulesReason(appIds: readonly string[]): string {
  return `no valid rules yet for: ${appIds.join(', ')}`;
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
 * /healthz (cheap: the process answers), /readyz (an app's rules and the store ready), /metrics.
 * `metricsGuard`: what /metrics requires first, when OFFERD_METRICS_TOKEN is set (its
 * samples name every app, its rules versions and traffic: not for the public).
 */
export function opsRoutes(readiness: Readiness, metrics: Metrics, metricsGuard?: Middleware): ApiRouter {
  const router = new ApiRouter({ family: 'neutral', before: [exactPath] });
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const { notReady, notServing } = await readiness.state();
    // `reason` kept its meaning for a 503; on a 200 it names the apps not serving (monitoring).
    const apps = notServing.length > 0 ? { notServing: [...notServing] } : {};
    ctx.status = notReady ? 503 : 200;
    ctx.body = notReady
      ? { status: 'not ready', reason: notReady, ...apps }
      : { status: 'ready', ...(notServing.length > 0 ? { reason: noRulesReason(notServing) } : {}), ...apps };
  });
  router.get('/metrics', ...(metricsGuard ? [metricsGuard] : []), async (ctx) => {
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });
  return router;
}
