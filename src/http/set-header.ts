import type { Context } from 'koa';

/** What `ctx.type = 'json'` sets. */
export const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * `ctx.set(name, value)` for one string header, without Koa 3's per-call arrays (an
 * entries array, a mapped copy and a tuple each): the headers every request carries
 * were ~7 % of what an offerwall request allocates. Node's setHeader validates the
 * name and value as Koa's path does.
 */
export function setHeader(ctx: Context, name: string, value: string): void {
  if (!ctx.res.headersSent) ctx.res.setHeader(name, value);
}
