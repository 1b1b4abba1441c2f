import type Router from '@koa/router';
import type { Context, Middleware, Next } from 'koa';

/** The first segment of a path, lower-cased: `/Admin/rules` → `admin`; `''` for `/` or `//x`. */
export function firstSegment(path: string): string {
  const end = path.indexOf('/', 1);
  return path.slice(1, end < 0 ? path.length : end).toLowerCase();
}

// Characters path-to-regexp (v8) takes literally; anything else may be a parameter,
// wildcard, optional group or escape.
const PLAIN = /^[\w.~-]+$/;

/**
 * The first path segments `router`'s routes can match, lower-cased (routes match
 * case-insensitively; an ASCII literal matches a request character only when they are
 * equal lower-cased), or null when a route may match more: a first segment that is not
 * plain text, a RegExp path, or a prefix (`end: false`) route.
 */
export function routeFirstSegments(router: Router): ReadonlySet<string> | null {
  const segments = new Set<string>();
  for (const layer of router.stack) {
    if (typeof layer.path !== 'string' || !layer.path.startsWith('/')) return null;
    if ((layer.opts as { end?: boolean }).end === false) return null;
    const first = firstSegment(layer.path);
    if (!PLAIN.test(first)) return null;
    segments.add(first);
  }
  return segments;
}

/**
 * `router.routes()`, run only for requests whose first path segment one of its routes
 * has. Routers run in turn, and each ran its whole dispatch (host check, a match against
 * every route, a not-found event) for every request that a later router answers; a
 * skipped router could not have matched. It leaves what an unmatched dispatch leaves,
 * `ctx.matched`, which allowedMethods reads (a 501 for a method no router implements).
 */
export function gatedRoutes(router: Router): Middleware {
  const routes = router.routes() as unknown as Middleware;
  const segments = routeFirstSegments(router);
  if (segments === null) return routes;
  return (ctx: Context, next: Next) => {
    if (segments.has(firstSegment(ctx.path))) return routes(ctx, next);
    const routed = ctx as Context & { matched?: unknown[] };
    routed.matched ??= [];
    return next();
  };
}
