import type { Context } from 'koa';

/** What `ctx.type = 'json'` sets. */
export const JSON_TYPE = 'application/json; charset=utf-8';

/** Longest header value we send: a warning that names client text stays one short line. */
const MAX_HEADER_VALUE = 512;

/**
 * A header value safe to send whatever text went into it: characters outside printable
 * ASCII (controls, DEL, non-Latin) become `\uXXXX` escapes — Node refuses them, and a
 * refused header after the body is chosen is a 500 — and the value is cut to 512 characters.
 */
export function headerText(value: string): string {
  const escaped = value.replace(
    /[^\x20-\x7e]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return escaped.length > MAX_HEADER_VALUE ? escaped.slice(0, MAX_HEADER_VALUE) : escaped;
}

/**
 * `ctx.set(name, value)` for one string header, without Koa 3's per-call arrays (an
 * entries array, a mapped copy and a tuple each): the headers every request carries
 * were ~7 % of what an offerwall request allocates. Node's setHeader validates the
 * name and value as Koa's path does.
 */
export function setHeader(ctx: Context, name: string, value: string): void {
  if (!ctx.res.headersSent) ctx.res.setHeader(name, headerText(value));
}
