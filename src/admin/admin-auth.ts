import type { Context, Next } from 'koa';
import { safeEqual } from '../config/api-key.js';
import { AppError } from '../http/app-error.js';

/** Guards /admin: 401 without a bearer token, 403 with a wrong one. */
export function adminAuth(token: string) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const header = ctx.get('Authorization');
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match?.[1])
      throw new AppError(401, 'UNAUTHORIZED', 'Admin token required: Authorization: Bearer <token>');
    if (!safeEqual(match[1].trim(), token)) throw new AppError(403, 'FORBIDDEN', 'Admin token is not valid');
    await next();
  };
}
