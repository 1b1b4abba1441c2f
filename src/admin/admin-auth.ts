import type { Context, Next } from 'koa';
import { safeEqual } from '../config/api-key.js';
import { AppError } from '../http/app-error.js';

/** How many Authorization headers the request carried (Node keeps only the first in `headers`). */
function authorizationCount(rawHeaders: readonly string[]): number {
  let n = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]?.toLowerCase() === 'authorization') n++;
  }
  return n;
}

/**
 * Guards /admin: 401 without a bearer token, 403 with a wrong one. A request with more
 * than one Authorization header is refused: which one counts would be up to whatever
 * parses it (Node keeps the first, a proxy may keep the last).
 */
export function adminAuth(token: string) {
  return async (ctx: Context, next: Next): Promise<void> => {
    if (authorizationCount(ctx.req.rawHeaders) > 1) {
      throw new AppError('UNAUTHORIZED', 'Exactly one Authorization header is allowed');
    }
    const header = ctx.get('Authorization');
    // HTTP's own whitespace only (RFC 9110 OWS: space, tab), not trim()'s Unicode set: a
    // token with a trailing no-break space is another token.
    const match = /^Bearer[ \t]+(.+?)[ \t]*$/i.exec(header);
    if (!match?.[1])
      throw new AppError('UNAUTHORIZED', 'Admin token required: Authorization: Bearer <token>');
    if (!safeEqual(match[1], token)) {
      throw new AppError(
        'FORBIDDEN',
        'Admin token is not valid (OFFERD_ADMIN_TOKEN, or admin.token in the config)',
      );
    }
    await next();
  };
}
