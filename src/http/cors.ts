import type { Context, Next } from 'koa';
import { setHeader } from './set-header.js';

/**
 * Open CORS for a public client API (its router puts this first in every route): the
 * offerwall vendor prefers client-side calls, and browser SDKs post banners and
 * tracking. Admin and ops routes do not use it.
 */
export function publicCors({ preflight = true }: { preflight?: boolean } = {}) {
  return (ctx: Context, next: Next): Promise<void> | undefined => {
    setHeader(ctx, 'Access-Control-Allow-Origin', '*');
    setHeader(ctx, 'Access-Control-Expose-Headers', 'X-Rules-Version, X-Request-Id');
    // Without `preflight` (a path no route has), OPTIONS goes on to its 404 like any method.
    if (preflight && ctx.method === 'OPTIONS') {
      ctx.set('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
      ctx.set('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-API-Key');
      ctx.set('Access-Control-Max-Age', '86400');
      ctx.status = 204;
      return;
    }
    return next();
  };
}
