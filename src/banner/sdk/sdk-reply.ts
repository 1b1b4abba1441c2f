import type { Context } from 'koa';
import { JSON_TYPE, setHeader } from '../../http/set-header.js';
import type { RejectedRecord } from './sdk-events.js';

/** One line naming each rejected record, for the SDK's `error` text. */
function describe(rejected: readonly RejectedRecord[], size: number): string {
  const count = new Set(rejected.map((r) => r.index)).size;
  const each = rejected.map((r) => `[${r.index}]${r.field ? ` ${r.field}` : ''} ${r.message}`).join('; ');
  return `${count} of ${size} records rejected: ${each}`;
}

/**
 * The SDKs' reply: `1` when every record was stored, else `0`; with verbose=1
 * `{"status":1,"error":null}` or `{"status":0,"error":"…","failed_records":[{index,field,message}]}`.
 * A batch with some records rejected is still HTTP 200 (the valid ones are stored): the
 * Unity SDK retries any non-2xx for minutes and holds back all later events meanwhile,
 * and a retry could not fix the rejected records anyway.
 */
export function sdkReply(ctx: Context, rejected: readonly RejectedRecord[], size: number): void {
  // `1` is JSON too, and says so: Koa would call a string body text/plain.
  setHeader(ctx, 'Content-Type', JSON_TYPE);
  const verbose = ctx.query.verbose === '1';
  if (rejected.length === 0) {
    ctx.body = verbose ? { status: 1, error: null } : '1';
    return;
  }
  ctx.body = verbose ? { status: 0, error: describe(rejected, size), failed_records: rejected } : '0';
}
