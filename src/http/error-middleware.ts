import type { Context, Next } from 'koa';
import { renderError } from './api-family.js';
import { AppError } from './app-error.js';
import type { RequestState } from './request-context.js';

/** What Koa and its libraries throw: an HttpError carries a status and whether its message may be shown. */
interface HttpLikeError {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  message?: string;
}

/** Any error as offerd's own: a client's (< 500) keeps its status, anything else is a 500 that leaks nothing. */
function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = (err ?? {}) as HttpLikeError;
  const status = e.status ?? e.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const message = e.expose ? (e.message ?? 'Bad request') : 'Bad request';
    return new AppError('BAD_REQUEST', message, [], status);
  }
  return new AppError('INTERNAL', 'Internal error');
}

/**
 * The one place errors become responses: every status in the envelope of the API the
 * request's router belongs to (neutral when none matched), JSON always, never a stack
 * trace; every unexpected error logged with the request's support id.
 */
export function errorMiddleware() {
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body == null) throw new AppError('NOT_FOUND', 'Not found');
    } catch (err) {
      const state = ctx.state as RequestState;
      const appError = toAppError(err);
      if (appError.status >= 500) state.log.error({ err }, 'request failed');
      ctx.status = appError.status;
      ctx.body = renderError(state.family, appError, state.supportId, { verbose: ctx.query.verbose === '1' });
      // A string body (the track envelope's `0`) would go out as text/plain.
      ctx.type = 'application/json';
    }
  };
}
