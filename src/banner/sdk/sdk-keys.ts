import { notText } from '../../http/input-bounds.js';
import { isPlainObject } from '../banner-request.js';

/**
 * The Unity SDK spells every reserved name `_kb_x` where the node SDK (and Mixpanel)
 * spell it `$x`: `_kb_set`, `_kb_add`, `_kb_transactions`, `_kb_amount`… One spelling
 * inside offerd, the node SDK's.
 */
export function dollarName(name: string): string {
  return name.startsWith('_kb_') ? `$${name.slice(4)}` : name;
}

/**
 * Keys starting `_kb_` become `$`, at every level (a transaction is an object inside
 * `$append`). The body reader has already bounded depth and size.
 */
export function dollarKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dollarKeys);
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[dollarName(k)] = dollarKeys(v);
  return out;
}

/** A body of one object is a batch of one (the node SDK always sends an array, Unity's engage may not). */
export function asList(body: unknown): unknown[] | null {
  if (isPlainObject(body)) return [body];
  return Array.isArray(body) ? body : null;
}

/**
 * A string or a number as an id string; anything else (or an empty string) is absent, and
 * so is a number past 2^53: JSON parsing has rounded it, and distinct ids would be one
 * (the schemas refuse such ids; an `$insert_id` read only if it is one is then no key).
 */
export function idText(value: unknown): string | null {
  if (typeof value === 'number' && Math.abs(value) <= Number.MAX_SAFE_INTEGER) return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

/** A record's key: `properties.token` (node's events), `$token` (its profile updates) or Unity's `_kb_token`. */
export function tokenOf(record: unknown): string | undefined {
  if (!isPlainObject(record)) return undefined;
  const props = isPlainObject(record.properties) ? record.properties : {};
  const token = props.token ?? record.$token ?? record._kb_token;
  return typeof token === 'string' ? token : undefined;
}

/** Longer than any key offerd issues or accepts in config, by far. */
const MAX_KEPT_TOKEN = 1024;

/**
 * What stays of a batch record refused at the edge (BatchBodies in body-reader.ts): its key,
 * where a batch sent without an Authorization header names its app, and nothing else. Not
 * a key that is itself no text (a NUL): kept, it named the batch's app, and the whole batch
 * was a 401 where only that record is bad (hostile probe).
 */
export function keyOnly(record: unknown): Record<string, string> {
  const token = tokenOf(record);
  return token === undefined || token.length > MAX_KEPT_TOKEN || notText(token) !== null
    ? {}
    : { $token: token };
}
