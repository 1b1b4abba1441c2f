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
 * Support ids are integers (the offerwall contract shows `support_id: 99120001`), random
 * below 2^48 (node:crypto; within Number.MAX_SAFE_INTEGER): unique across instances without
 * coordination for any volume one log holds (a collision needs ~16 million ids to be as
 * likely as not), and telling nothing. A counter let anyone count the service's requests
 * between two of their own (hostile probe).
 */
export function supportIdGenerator(): () => number {
  return () => randomInt(1, 2 ** 48);
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
