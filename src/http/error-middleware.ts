import type { Context, Next } from 'koa';
import { renderError } from './api-family.js';
import { AppError } from './app-error.js';
import type { RequestState } from './request-context.js';

/** Errors thrown by Koa's own layers (body parser, router) carry a status and sometimes a type. */
interface HttpLikeError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
  message?: string;
}

/** Turns what the body parser and Koa throw into offerd's own errors, with a message a client can act on. */
function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = (err ?? {}) as HttpLikeError;
  const status = e.status ?? e.statusCode ?? 500;
  if (e.type === 'entity.too.large') {
    return new AppError(413, 'PAYLOAD_TOO_LARGE', 'Invalid input', [
      { field: 'body', message: 'body is too large' },
    ]);
  }
  if (/forbidden prototype property/.test(e.message ?? '')) {
    // co-body parses with bourne, which refuses __proto__ keys before any code sees them.
    return new AppError(400, 'INVALID_INPUT', 'Invalid input', [
      { field: '__proto__', message: 'key is not allowed' },
    ]);
  }
  if (e.type === 'entity.parse.failed' || (status === 400 && /JSON/i.test(e.message ?? ''))) {
    return new AppError(400, 'INVALID_INPUT', 'Invalid input', [
      { field: 'body', message: 'body is not valid JSON' },
    ]);
  }
  if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported' || status === 415) {
    return new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Invalid input', [
      { field: 'body', message: 'unsupported encoding or charset' },
    ]);
  }
  if (status >= 400 && status < 500)
    return new AppError(status, 'BAD_REQUEST', e.expose ? (e.message ?? 'Bad request') : 'Bad request');
  return new AppError(500, 'INTERNAL', 'Internal error');
}

/**
 * The one place errors become responses: each family's envelope, never a stack
 * trace, and every unexpected error logged with the request's support id.
 */
export function errorMiddleware() {
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new AppError(404, 'NOT_FOUND', 'Not found');
    } catch (err) {
      const state = ctx.state as RequestState;
      const appError = toAppError(err);
      if (appError.status >= 500) state.log.error({ err }, 'request failed');
      ctx.status = appError.status;
      ctx.body = renderError(state.family, appError, state.supportId, { verbose: ctx.query.verbose === '1' });
    }
  };
}
