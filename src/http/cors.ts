import type { Context, Next } from 'koa';
import { setHeader } from './set-header.js';

/**
 * Open CORS for the public client APIs: the offerwall vendor prefers client-side
 * calls, and browser SDKs post banners and tracking. Admin routes get none.
 */
export function publicCors() {
  return (ctx: Context, next: Next): Promise<void> | undefined => {
    if (ctx.path.startsWith('/admin') || ctx.path === '/metrics') return next();
    setHeader(ctx, 'Access-Control-Allow-Origin', '*');
    setHeader(ctx, 'Access-Control-Expose-Headers', 'X-Rules-Version, X-Request-Id');
    if (ctx.method === 'OPTIONS') {
      ctx.set('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
      ctx.set('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-API-Key');
      ctx.set('Access-Control-Max-Age', '86400');
      ctx.status = 204;
      return;
    }
    return next();
  };
}
