import type { Context, Next } from 'koa';

/**
 * `//v1/…` is `/v1/…`. GamifyHost's Flutter SDK joins its `apiUrl`'s path and `/v1/…`, so an
 * `apiUrl` ending in `/` asks for `//v1/user-journeys/…` (and a proxy may add one): without this
 * it reached no API and got the neutral 404, which the SDK reports as 'Unknown error'. Only the
 * leading run is merged, and before any router or guard reads the path, so every guard sees the
 * path the route does (test/http/leading-slashes.test.ts holds admin's 401 to that).
 */
export function leadingSlashes() {
  return (ctx: Context, next: Next): Promise<void> => {
    if (ctx.path.startsWith('//')) ctx.path = ctx.path.replace(/^\/+/, '/');
    return next();
  };
}
