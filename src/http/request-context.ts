import { randomInt } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import type { ApiFamily } from './api-family.js';
import { setHeader } from './set-header.js';

/** What every request carries through the middleware: its id, family and logger. */
export interface RequestState {
  supportId: number;
  /** Set by the API router that matched the path (api-router.ts); `neutral` until then. */
  family: ApiFamily;
  log: Logger;
  /** Route pattern for metrics; set by the router, else "unmatched". */
  route?: string;
}

/**
 * Support ids are integers (the offerwall contract shows `support_id: 99120001`):
 * a random per-process base plus a counter keeps them unique across instances
 * without coordination, and within Number.MAX_SAFE_INTEGER.
 */
export function supportIdGenerator(): () => number {
  let next = randomInt(1, 2 ** 31) * 2 ** 20;
  return () => next++;
}

/**
 * A request's state. Its pino child logger is made the first time something logs: most
 * requests log nothing, and a child per request (an object and its serialized bindings)
 * showed in the profiles under load.
 */
class LazyLogState implements RequestState {
  #log: Logger | undefined;

  family: ApiFamily = 'neutral';

  constructor(
    readonly supportId: number,
    private readonly root: Logger,
  ) {}

  get log(): Logger {
    this.#log ??= this.root.child({ reqId: this.supportId });
    return this.#log;
  }
}

export function requestContext(logger: Logger) {
  const nextId = supportIdGenerator();
  return (ctx: Context, next: Next): Promise<void> => {
    const supportId = nextId();
    ctx.state = new LazyLogState(supportId, logger);
    setHeader(ctx, 'X-Request-Id', String(supportId));
    return next();
  };
}
