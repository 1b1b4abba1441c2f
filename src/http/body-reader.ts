import { MIMEType } from 'node:util';
import Bourne from '@hapi/bourne';
import type { Context, Middleware, Next } from 'koa';
import { AppError, invalidInput } from './app-error.js';
import { discardRest } from './discard-body.js';
import {
  DEFAULT_INPUT_BOUNDS,
  findOutOfBounds,
  type InputBounds,
  type TextBounds,
  textShapeProblem,
} from './input-bounds.js';
import { nonFiniteAsOverflow } from './non-finite-literals.js';
import { bodyProblem, limitBytes, readBodyText } from './read-body.js';

export interface BodyReaderOptions {
  /** Largest body, after decoding its Content-Encoding (`1mb`). */
  limit: string;
  bounds?: InputBounds;
  /** Batch bodies held to `bounds` record by record (see BatchBodies). */
  batches?: BatchBodies;
}

/**
 * For routes whose body is a batch of records stored one by one (the Kibotu SDKs' /track,
 * /engage): an array body is held to the bounds record by record, and a record that breaks
 * them is refused alone, like a record its route finds invalid, instead of the whole batch.
 * The Unity SDK resends a batch answered with anything but 2xx, oldest first, for ever: one
 * event with a 70,000-character property (or a `__proto__` key) held back every later event
 * of that device (newcomer probe). The refused record is replaced, before any route code
 * sees it, by what `placeholder` keeps of it (its API key), and named in
 * `ctx.state.refusedRecords`. The array itself, and any body that is not an array, are held
 * to the bounds as every body is; the nesting read before parsing is bounded at twice the
 * records' (a record one level down may still nest `maxDepth` levels).
 */
export interface BatchBodies {
  placeholder: (record: unknown) => unknown;
}

/** A record of a batch body refused at the edge: its index, the field and why. */
export interface RefusedRecord {
  index: number;
  field: string;
  message: string;
}

/** Types read as JSON: the SDKs post JSON, some as text/plain (a CORS "simple request"). */
const JSON_TYPES = ['application/json', 'application/*+json', 'text/plain'];

/** What JSON.parse is given: an object or an array (strict JSON bodies), after whitespace. */
const OBJECT_OR_ARRAY = /^[ \t\n\r]*[[{]/;

/**
 * Charsets a JSON body may declare: JSON on the wire is UTF-8 (RFC 8259), and ASCII is a
 * subset of it. The body is decoded as UTF-8 whatever it declares, so a body declared in
 * another charset (iso-8859-1, utf-16) would be stored mis-decoded; it is refused instead.
 */
const UTF8_CHARSETS = new Set(['', 'utf-8', 'utf8', 'us-ascii', 'ascii']);

/**
 * Whether the body comes in a transfer coding Node does not undo. Node's parser removes
 * `chunked` and hands on whatever other coding as it is: a body sent `gzip, chunked` was
 * read as plain JSON, where a proxy in front that undoes transfer codings reads other bytes.
 */
function foreignTransferCoding(ctx: Context): boolean {
  const coding = ctx.get('Transfer-Encoding').trim().toLowerCase();
  return coding !== '' && coding !== 'chunked';
}

/**
 * The charset a Content-Type declares, lower case ('' for none), read as browsers read it
 * (WHATWG MIME type parsing: a parameter without `=` is skipped, not the whole header); a
 * header that names no type at all declares '?'. Koa's `charset` read `application/json;
 * charset=utf-16; x` as no charset at all, so a body in any charset passed as UTF-8.
 */
function declaredCharset(contentType: string): string {
  if (contentType === '') return '';
  try {
    return new MIMEType(contentType).params.get('charset')?.toLowerCase() ?? '';
  } catch {
    return '?';
  }
}

function hasBody(ctx: Context): boolean {
  const length = ctx.get('Content-Length');
  return (length !== '' && length !== '0') || ctx.get('Transfer-Encoding') !== '';
}

/**
 * Reads a JSON body within `limit` and `bounds`, before the route sees it: a body that
 * is too large, too deep, not JSON, in an encoding it cannot decode or of a type that
 * is not JSON fails here with a 4xx naming why, and nothing has changed yet. A body
 * without a Content-Type is read as JSON (clients that forget it send JSON).
 */
export function bodyReader(options: BodyReaderOptions): Middleware {
  const bounds = options.bounds ?? DEFAULT_INPUT_BOUNDS;
  const batches = options.batches ?? null;
  const limit = limitBytes(options.limit);
  // Read on the text before parsing; a batch's nesting at twice the records' (BatchBodies).
  const textBounds: TextBounds = { ...bounds, maxDepth: batches ? 2 * bounds.maxDepth : bounds.maxDepth };
  const checked = (ctx: Context, next: Next) => {
    const body = (ctx.request as { body?: unknown }).body;
    if (batches && Array.isArray(body) && body.length <= bounds.maxItems) {
      (ctx.state as { refusedRecords?: RefusedRecord[] }).refusedRecords = refuseOutOfBounds(
        body,
        bounds,
        batches,
      );
      return next();
    }
    const problem = findOutOfBounds(body, bounds);
    if (problem) throw invalidInput([problem]);
    return next();
  };
  return async (ctx, next) => {
    if (ctx.method === 'POST' || ctx.method === 'PUT' || ctx.method === 'PATCH') {
      if (foreignTransferCoding(ctx)) {
        // Where such a body ends is not known for sure: the connection cannot carry another.
        ctx.set('Connection', 'close');
        throw new AppError(
          'NOT_IMPLEMENTED',
          'Invalid input',
          bodyProblem('must be sent with no Transfer-Encoding but chunked (use Content-Encoding)'),
        );
      }
      if (hasBody(ctx) && ctx.get('Content-Type') !== '' && !ctx.is(JSON_TYPES)) {
        discardRest(ctx.req);
        throw new AppError(
          'UNSUPPORTED_MEDIA_TYPE',
          'Invalid input',
          bodyProblem('must be sent as application/json (Content-Type)'),
        );
      }
      if (hasBody(ctx) && !UTF8_CHARSETS.has(declaredCharset(ctx.get('Content-Type')))) {
        discardRest(ctx.req);
        throw new AppError(
          'UNSUPPORTED_MEDIA_TYPE',
          'Invalid input',
          bodyProblem('must be sent as UTF-8 (charset)'),
        );
      }
    }
    if (ctx.method === 'POST' || ctx.method === 'PUT' || ctx.method === 'PATCH') {
      let text: string;
      try {
        text = await readBodyText(ctx.req, limit);
      } catch (err) {
        // The rest of the body may still be on the wire: read and dropped, the connection
        // carries the next request (a kept-alive one stalled after a 413 on a chunked body).
        discardRest(ctx.req);
        throw err;
      }
      (ctx.request as { body?: unknown }).body = parseJson(text, textBounds, batches !== null);
    }
    return checked(ctx, next);
  };
}

/** Replaces each record of `body` that breaks `bounds` by its placeholder; returns them. */
function refuseOutOfBounds(body: unknown[], bounds: InputBounds, batches: BatchBodies): RefusedRecord[] {
  const refused: RefusedRecord[] = [];
  for (let index = 0; index < body.length; index++) {
    const problem = findOutOfBounds(body[index], bounds);
    if (!problem) continue;
    refused.push({
      index,
      field: problem.field === 'body' ? 'record' : problem.field,
      message: problem.message,
    });
    body[index] = batches.placeholder(body[index]);
  }
  return refused;
}

/**
 * A body's JSON: `{}` when empty, else an object or an array. The nesting is bounded on
 * the text, before JSON.parse: 814 bytes of gzip inflating to 400,000 `[` cost ~200 ms of
 * CPU in the parse, before authentication, and the bound on the parsed value came after
 * it. Bourne refuses `__proto__` keys before any code sees them; in a batch body
 * (`batches`) an array is parsed again without Bourne's refusal, its records to be checked
 * one by one (findOutOfBounds names the key) and the one holding it replaced.
 */
function parseJson(text: string, bounds: TextBounds, batches = false): unknown {
  if (text === '') return {};
  if (!OBJECT_OR_ARRAY.test(text)) throw invalidInput(bodyProblem('is not valid JSON'));
  const tooCostly = textShapeProblem(text, bounds);
  if (tooCostly) throw invalidInput(bodyProblem(tooCostly));
  try {
    return Bourne.parse(text, { protoAction: 'error' });
  } catch (err) {
    if (/forbidden prototype property/.test((err as Error).message)) {
      // JSON.parse makes `__proto__` an own key, never the prototype: nothing else sees it.
      const plain = batches ? (JSON.parse(text) as unknown) : null;
      if (Array.isArray(plain)) return plain;
      throw invalidInput([{ field: '__proto__', message: 'key is not allowed' }]);
    }
    // A batch with `NaN` or `Infinity` (the Unity SDK's doubles): only their records refused.
    const repaired = batches ? nonFiniteAsOverflow(text) : null;
    if (repaired !== null) return parseJson(repaired, bounds, batches);
    throw invalidInput(bodyProblem('is not valid JSON'));
  }
}
