import type { Family, FuzzRequest, FuzzResponse } from './harness.js';

/**
 * One broken promise of the service, with a class that groups equal failures
 * (`banner:5xx:500`, `admin:not-json:405`, `admin:auth-bypass`...) and what was seen.
 */
export interface Violation {
  kind: string;
  detail: string;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const isObject = (v: unknown): v is Record<string, Json> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

function keysWithin(o: Record<string, unknown>, allowed: readonly string[]): string | null {
  const extra = Object.keys(o).filter((k) => !allowed.includes(k));
  return extra.length > 0 ? `unexpected keys ${extra.join(', ')}` : null;
}

function fieldList(v: unknown): string | null {
  if (!Array.isArray(v)) return 'errors/fields is not an array';
  for (const f of v) {
    if (!isObject(f) || typeof f.field !== 'string' || typeof f.message !== 'string')
      return `a field problem is not {field, message}: ${JSON.stringify(f).slice(0, 80)}`;
  }
  return null;
}

/** Kibotu banner error: `{message, code, errors?}`. */
function bannerError(body: unknown): string | null {
  if (!isObject(body)) return 'not an object';
  if (typeof body.message !== 'string') return 'message is not a string';
  if (typeof body.code !== 'string') return 'code is not a string';
  if (body.errors !== undefined) {
    const e = fieldList(body.errors);
    if (e) return e;
  }
  return keysWithin(body, ['message', 'code', 'errors']);
}

/** Kibotu SDK /track reply: `0`/`1`, or with verbose=1 `{status, error}`. */
function trackReply(body: unknown, status: number, verbose: 'yes' | 'no' | 'either'): string | null {
  const ok = status < 400;
  // HTTP 200 with 0: a batch of which some records were rejected, the valid ones stored.
  const allowed: unknown[] = ok ? [1, 0] : [0];
  const plain = (): string | null => (allowed.includes(body) ? null : `body is not ${allowed.join(' or ')}`);
  const wrapped = (): string | null => {
    if (!isObject(body)) return 'not {status, error}';
    if (!allowed.includes(body.status)) return `status is not ${allowed.join(' or ')}`;
    if (body.status === 1 ? body.error !== null : typeof body.error !== 'string') return 'error is wrong';
    return keysWithin(
      body,
      ok && body.status === 0 ? ['status', 'error', 'failed_records'] : ['status', 'error'],
    );
  };
  if (verbose === 'yes') return wrapped();
  if (verbose === 'no') return plain();
  return plain() === null || wrapped() === null ? null : 'neither 0/1 nor {status, error}';
}

/** RevU offerwall error: `{status: 'failure', error: {code, message, fields?}, support_id}`. */
function offerwallError(body: unknown, requestId: string | undefined): string | null {
  if (!isObject(body)) return 'not an object';
  if (body.status !== 'failure') return "status is not 'failure'";
  if (!isObject(body.error)) return 'error is not an object';
  if (typeof body.error.code !== 'string' || typeof body.error.message !== 'string')
    return 'error.code/message are not strings';
  if (body.error.fields !== undefined) {
    const e = fieldList(body.error.fields);
    if (e) return e;
  }
  if (typeof body.support_id !== 'number') return 'support_id is not a number';
  if (requestId !== undefined && String(body.support_id) !== requestId)
    return 'support_id is not X-Request-Id';
  return (
    keysWithin(body, ['status', 'error', 'support_id']) ??
    keysWithin(body.error, ['code', 'message', 'fields'])
  );
}

/** GamifyHost journeys error: `{message, code: <HTTP status>, status: 'error', errors?}`. */
function journeysError(body: unknown, status: number): string | null {
  if (!isObject(body)) return 'not an object';
  if (body.status !== 'error') return "status is not 'error'";
  if (typeof body.message !== 'string') return 'message is not a string';
  if (body.code !== status) return `code ${JSON.stringify(body.code)} is not the HTTP status ${status}`;
  if (body.errors !== undefined) {
    const e = fieldList(body.errors);
    if (e) return e;
  }
  return keysWithin(body, ['message', 'code', 'status', 'errors']);
}

/** Admin error: `{error: {code, message, fields?}, requestId}`. */
function adminError(body: unknown): string | null {
  if (!isObject(body)) return 'not an object';
  if (!isObject(body.error)) return 'error is not an object';
  if (typeof body.error.code !== 'string' || typeof body.error.message !== 'string')
    return 'error.code/message are not strings';
  if (body.error.fields !== undefined) {
    const e = fieldList(body.error.fields);
    if (e) return e;
  }
  if (body.requestId !== undefined && typeof body.requestId !== 'number') return 'requestId is not a number';
  return keysWithin(body, ['error', 'requestId']) ?? keysWithin(body.error, ['code', 'message', 'fields']);
}

/** The neutral envelope of a path outside every API (and of errors raised before routing). */
function neutralError(body: unknown): string | null {
  if (!isObject(body) || !isObject(body.error)) return 'not {error: {code, message}}';
  if (typeof body.error.code !== 'string' || typeof body.error.message !== 'string')
    return 'error.code/message are not strings';
  return null;
}

/**
 * Codes only a route's own handler raises (auth, parameters, bans, lookups). A path spelled
 * unlike the route may get the neutral envelope for what is decided before routing (404, a
 * body, encoding or header error), but an error with one of these codes came from the
 * family's handler, so it must be in the family's envelope.
 */
const ROUTE_CODES = new Set([
  'INVALID_PARAMETER',
  'MISSING_API_KEY',
  'INVALID_API_KEY',
  'API_KEY_REVOKED',
  'APP_NOT_ACTIVE',
  'API_NOT_ALLOWED',
  'USER_BANNED',
  'IP_BANNED',
  'WALL_NOT_FOUND',
  'NO_ELIGIBLE_OFFERS',
  'INVALID_SIGNATURE',
  'OFFER_NOT_FOUND',
  'TRANSACTION_CONFLICT',
  'USER_NOT_FOUND',
  'OFFER_EXPIRED',
  'OFFER_NOT_ACTIVE',
  'APP_NOT_FOUND',
  'EXPERIMENT_NOT_FOUND',
  'BAN_NOT_FOUND',
  'NO_FEED',
  'SNAPSHOT_NOT_FOUND',
]);

function raisedByRoute(body: unknown): boolean {
  if (!isObject(body) || !isObject(body.error)) return false;
  const code = body.error.code;
  if (typeof code === 'string' && ROUTE_CODES.has(code)) return true;
  // A batch item named by its index (`[0].event`, `events[2].points`) was judged by the handler.
  const fields = Array.isArray(body.error.fields) ? body.error.fields : [];
  return fields.some(
    (f) => isObject(f) && typeof f.field === 'string' && /^(\[\d+\]|events\[\d+\])/.test(f.field),
  );
}

function errorShape(family: Family, body: unknown, res: FuzzResponse, req: FuzzRequest): string | null {
  const requestId = typeof res.headers['x-request-id'] === 'string' ? res.headers['x-request-id'] : undefined;
  switch (family) {
    case 'banner':
      return bannerError(body);
    case 'track':
      return trackReply(body, res.status, req.note.verbose ?? 'no');
    case 'offerwall':
      return offerwallError(body, requestId);
    case 'journeys':
      return journeysError(body, res.status);
    case 'admin':
      return adminError(body);
    case 'unknown': {
      const e = neutralError(body);
      if (e) return e;
      if (res.status === 404 && isObject(body) && isObject(body.error) && body.error.code !== 'NOT_FOUND')
        return `404 with code ${JSON.stringify(body.error.code)}, not NOT_FOUND`;
      return null;
    }
  }
}

function successShape(family: Family, body: unknown, res: FuzzResponse, req: FuzzRequest): string | null {
  if (family === 'track') return trackReply(body, res.status, req.note.verbose ?? 'no');
  if (family === 'unknown') return `${res.status} for a path outside every API`;
  if (!isObject(body) && !Array.isArray(body)) return 'not a JSON object or array';
  if (family === 'journeys' && isObject(body) && body.status !== 'success') return "status is not 'success'";
  if (family === 'offerwall' && isObject(body) && body.status !== 'success') return "status is not 'success'";
  return null;
}

/** Which family's envelope a body looks like, to name a wrong-family answer. */
export function looksLike(body: unknown): string {
  if (body === 0 || body === 1) return 'track';
  if (!isObject(body)) return typeof body;
  if (body.status === 'failure') return 'offerwall';
  if (body.status === 'error') return 'journeys';
  if (body.status === 0 || body.status === 1) return 'track';
  if (isObject(body.error)) return 'admin/neutral';
  if (typeof body.message === 'string' && typeof body.code === 'string') return 'banner';
  return 'other';
}

const header = (res: FuzzResponse, name: string): string => {
  const v = res.headers[name];
  return Array.isArray(v) ? v.join(', ') : (v ?? '');
};

/**
 * Every property of one answer: no 5xx, JSON with a JSON content type, the intended
 * family's envelope (strict for errors, loose for successes), no 2xx on /admin
 * without the token. The store and liveness are judged by the caller.
 */
export function checkResponse(req: FuzzRequest, res: FuzzResponse): Violation[] {
  const found: Violation[] = [];
  const fam = req.family;
  const status = res.status;
  const tag = (kind: string) => `${fam}:${kind}`;
  if (status >= 500)
    found.push({ kind: tag(`5xx:${status}`), detail: res.body.toString('utf8').slice(0, 200) });
  if (fam === 'admin' && req.note.adminTokenValid === false && status >= 200 && status < 300)
    found.push({
      kind: `admin:auth-bypass:${req.method.toUpperCase()}:${status}`,
      detail: `${status} without a valid token at ${req.path}`,
    });

  // A redirect (offerwall click) is judged by its Location; HEAD, 204 and 304 have no body by definition.
  if (status >= 300 && status < 400 && res.headers.location) return found;
  if (req.method.toUpperCase() === 'HEAD' || status === 204 || status === 304) {
    if (res.body.length > 0)
      found.push({ kind: tag(`body-on-${status}`), detail: res.body.toString().slice(0, 80) });
    if (fam === 'unknown' && status === 204 && req.method.toUpperCase() !== 'OPTIONS')
      found.push({ kind: tag('2xx-unknown-path'), detail: `${status}` });
    return found;
  }

  const type = header(res, 'content-type');
  if (!/^application\/json\b/i.test(type))
    found.push({ kind: tag(`content-type:${status}`), detail: `Content-Type '${type}' for ${status}` });
  let body: unknown;
  try {
    body = JSON.parse(res.body.toString('utf8'));
  } catch {
    found.push({
      kind: tag(`not-json:${status}`),
      detail: `${res.body.length} bytes: ${JSON.stringify(res.body.toString('utf8').slice(0, 100))}`,
    });
    return found;
  }

  if (status >= 400) {
    let problem = errorShape(fam, body, res, req);
    // Errors raised before routing (431, a parser 400) may use the neutral envelope; a path
    // spelled unlike the route may be a plain 404 of no API.
    // A 431 is always decided by Node's parser before any route is known: a long URL or
    // header value is as much a protocol error as many headers.
    const neutralOk =
      ((req.note.protocolError || status === 431) && neutralError(body) === null) ||
      (!req.note.canonicalPath && neutralError(body) === null && !raisedByRoute(body)) ||
      // /ab/track and /ab/getPersonalizedBanner share /ab/: a path under it that is neither is the banner API's 404.
      (fam === 'track' && !req.note.canonicalPath && status === 404 && bannerError(body) === null);
    if (problem && neutralOk) problem = null;
    if (problem)
      found.push({
        kind: tag(`envelope:${status}:${looksLike(body)}`),
        detail: `${problem}: ${JSON.stringify(body).slice(0, 200)}`,
      });
  } else if (status >= 200) {
    const problem = successShape(fam, body, res, req);
    if (problem)
      found.push({
        kind: tag(`success-shape:${status}`),
        detail: `${problem}: ${JSON.stringify(body).slice(0, 160)}`,
      });
  }
  return found;
}
