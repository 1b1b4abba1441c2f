import Koa from 'koa';
import type { Logger } from 'pino';
import type { ApiRouter } from './api-router.js';
import { errorMiddleware } from './error-middleware.js';
import { leadingSlashes } from './leading-slashes.js';
import type { Metrics } from './metrics.js';
import { type RequestState, requestContext } from './request-context.js';

export interface AppOptions {
  logger: Logger;
  metrics: Metrics;
  /**
   * Every API's router, tried in this order. Each decides alone which requests are its
   * own, with its CORS, auth, body limits and envelope; what none claims is a neutral 404.
   */
  apis: readonly ApiRouter[];
  /** Trust X-Forwarded-For (only behind configured proxies). */
  proxy?: boolean;
}

/**
 * The methods a route of ours can answer; any other is counted as `other`. Node accepts 35
 * methods, and any client could send each to every path: a hostile probe made 868 series
 * (a 1.4 MB scrape) from 16 of them, without a key.
 */
const METHOD_LABELS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * The latency histogram's labels. Each route, method and status makes 13 series, and any
 * client without a key chooses all three: a hostile probe took /metrics from 336 series to
 * 10,455 (1.2 MB, 22–33 ms of CPU a scrape) with route × method × a handful of 4xx. So a
 * client error is `4xx` here (its code is counted in offerd_http_responses_total, without the
 * route), and a method the route does not answer (405) is `other`: what a client adds is
 * bounded by the routes, not multiplied by what it sends.
 */
export function httpLabels(ctx: Koa.Context): { route: string; method: string; status: string } {
  const route = (ctx as { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
  const clientError = ctx.status >= 400 && ctx.status < 500;
  const method = METHOD_LABELS.has(ctx.method) && ctx.status !== 405 ? ctx.method : 'other';
  return { route: String(route), method, status: clientError ? '4xx' : String(ctx.status) };
}

function timing(metrics: Metrics, logger: Logger) {
  return async (ctx: Koa.Context, next: Koa.Next): Promise<void> => {
    const stop = metrics.httpDuration.startTimer();
    try {
      await next();
    } finally {
      const seconds = stop(httpLabels(ctx));
      metrics.httpResponses.inc({ status: String(ctx.status) });
      // One access line per request, carrying the request id like every other line of it
      // (not even built when info is off: LOG_LEVEL=warn under load).
      if (logger.isLevelEnabled('info')) {
        (ctx.state as RequestState).log?.info(
          { method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(seconds * 10000) / 10 },
          'request',
        );
      }
    }
  };
}

/** Socket errors that mean the client closed or reset its own connection. */
const CLIENT_GONE = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);

/**
 * The code of an error that is the client's leaving (its connection reset or closed under the
 * request), or null. Koa reports such a socket error as an app error once the response fails:
 * logged as one, any client without a key wrote a level-50 line with a stack per connection
 * (hostile probe: 20 resets mid-body, 20 lines), where docs/security.md promises client errors
 * at debug. Only the code is kept: nothing of the request, no stack.
 */
function clientWentAway(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CLIENT_GONE.has(code) ? code : null;
}

/** Builds the Koa app from already-wired parts; it reads no config and opens nothing. */
export function createApp(options: AppOptions): Koa {
  const app = new Koa({ proxy: options.proxy ?? false });
  // Errors are rendered by errorMiddleware; Koa's default handler would only print them again.
  app.silent = true;
  app.use(leadingSlashes());
  app.use(requestContext(options.logger));
  app.use(timing(options.metrics, options.logger));
  app.use(errorMiddleware());
  for (const api of options.apis) app.use(api.middleware());
  app.on('error', (err: unknown, ctx?: Koa.Context) => {
    const log = (ctx?.state as RequestState | undefined)?.log ?? options.logger;
    const gone = clientWentAway(err);
    if (gone) log.debug({ code: gone }, 'client went away');
    else log.error({ err }, 'unhandled error');
  });
  return app;
}
