import type { Context, Next } from 'koa';
import { safeEqual } from '../config/api-key.js';
import { AppError } from '../http/app-error.js';
import { authorizationCount } from '../http/authorization-headers.js';

/**
 * The token of `Bearer <token>` without HTTP's optional whitespace around it (RFC 9110 OWS:
 * space and tab only, not trim()'s Unicode set: a token with a trailing no-break space is
 * another token); null when the header is no bearer header or names no token. Linear in the
 * header's length: the regex it replaces, `^Bearer[ \t]+(.+?)[ \t]*$`, backtracked over a run
 * of spaces followed by anything else in time quadratic in the run, so one unauthenticated
 * request of 15,500 spaces held the event loop 0.2-1.3 s (an outside probe: 40 of them took
 * /readyz from 3 ms to 9.3 s).
 */
export function bearerToken(header: string): string | null {
  const prefix = /^Bearer[ \t]+/i.exec(header);
  if (!prefix) return null;
  let end = header.length;
  while (end > prefix[0].length && (header[end - 1] === ' ' || header[end - 1] === '\t')) end--;
  return end > prefix[0].length ? header.slice(prefix[0].length, end) : null;
}

/**
 * Guards /admin: 401 without a bearer token, 403 with a wrong one. A request with more
 * than one Authorization header is refused: which one counts would be up to whatever
 * parses it (Node keeps the first, a proxy may keep the last).
 */
export function adminAuth(token: string) {
  return bearerAuth(
    [token],
    'Admin token required: Authorization: Bearer <token>',
    'Admin token is not valid (OFFERD_ADMIN_TOKEN, or admin.token in the config)',
  );
}

/** Guards /metrics when OFFERD_METRICS_TOKEN is set: that token or the admin token (the console's). */
export function metricsAuth(metricsToken: string, adminToken: string) {
  return bearerAuth(
    [metricsToken, adminToken],
    'Metrics token required: Authorization: Bearer <OFFERD_METRICS_TOKEN>',
    'Token is not valid for /metrics (OFFERD_METRICS_TOKEN, or the admin token)',
  );
}

function bearerAuth(tokens: readonly string[], required: string, invalid: string) {
  return async (ctx: Context, next: Next): Promise<void> => {
    if (authorizationCount(ctx.req.rawHeaders) > 1) {
      throw new AppError('UNAUTHORIZED', 'Exactly one Authorization header is allowed');
    }
    const given = bearerToken(ctx.get('Authorization'));
    if (given === null) throw new AppError('UNAUTHORIZED', required);
    // Every token compared (no early exit): the time taken says nothing of which one matched.
    const matched = tokens.map((t) => safeEqual(given, t)).some(Boolean);
    if (!matched) throw new AppError('FORBIDDEN', invalid);
    await next();
  };
}
