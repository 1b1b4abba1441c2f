import type { Context, Next } from 'koa';
import { isDiskRefusal } from '../store/document/data-dir-health.js';
import { isStoreUnavailable, StoreBusyError } from '../store/store-unavailable.js';
import { renderError, statusFor } from './api-family.js';
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
  // Healthy, but what the call needs is another call's for now (a retry of a batch whose
  // first attempt an instance that died left pending): said so, not "unavailable", which sent
  // operators to a database that was fine (operator probe).
  if (err instanceof StoreBusyError) return new AppError('STORE_UNAVAILABLE', err.message);
  // The data dir takes no writes (full, read-only): a retry succeeds once an operator frees it.
  if (isDiskRefusal(err))
    return new AppError(
      'STORE_UNAVAILABLE',
      'The store cannot write to its disk (full, read-only or not writable); retry later',
    );
  // The database is down, restarting or slow: nothing was decided, the client may retry.
  if (isStoreUnavailable(err))
    return new AppError('STORE_UNAVAILABLE', 'The store is unavailable; retry later');
  const e = (err ?? {}) as HttpLikeError;
  const status = e.status ?? e.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const message = e.expose ? (e.message ?? 'Bad request') : 'Bad request';
    return new AppError('BAD_REQUEST', message, [], status);
  }
  return new AppError('INTERNAL', 'Internal error');
}

/** What a 503's cause says, without its stack: the message and code (ENOSPC, 57P01…). */
function causeOf(err: unknown): { message: string; code?: string } | undefined {
  if (!(err instanceof Error) || err instanceof AppError) return undefined;
  const code = (err as { code?: unknown }).code;
  return { message: err.message, ...(typeof code === 'string' ? { code } : {}) };
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
      // A 501 is the client's doing (a transfer coding offerd does not take): logged as the
      // parser's refusals are, not as a failure with its stack (a client could flood the log
      // and set off 5xx alerts with it, a hostile-client probe).
      if (appError.status === 501) state.log.debug({ code: appError.code }, 'request refused');
      // A 503 says what is wrong (no rules yet, the store down or its disk full): a warning
      // naming it, not an error with a stack per request, which buried the one line that
      // said why under thousands during an outage (operator probe).
      else if (appError.status === 503)
        state.log.warn({ code: appError.code, cause: causeOf(err) }, appError.message);
      else if (appError.status >= 500) state.log.error({ err }, 'request failed');
      ctx.status = statusFor(state.family, appError, ctx.method);
      // Its status no longer says it: the log does (the events of that batch are not stored).
      if (ctx.status !== appError.status)
        state.log.info(
          { code: appError.code, refusedAs: appError.status },
          'SDK batch refused whole (answered 200 0)',
        );
      ctx.body = renderError(state.family, appError, state.supportId, { verbose: ctx.query.verbose === '1' });
      // A string body (the track envelope's `0`) would go out as text/plain.
      ctx.type = 'application/json';
    }
  };
}
