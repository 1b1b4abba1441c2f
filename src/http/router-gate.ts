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

/** `layers` one after the other, as one middleware (what koa-compose does, without its checks). */
function inTurn(layers: readonly Middleware[]): Middleware {
  return layers.reduceRight<Middleware>(
    (rest, layer) => (ctx, next) => layer(ctx, () => rest(ctx, next)),
    (_ctx, next) => next(),
  );
}

/** Whether every router implements the same methods (allowedMethods' 501 then reads alike for all). */
function sameMethods(routers: readonly Router[]): boolean {
  const key = (r: Router) => [...r.methods].sort().join(',');
  return routers.every((r) => key(r) === key(routers[0] as Router));
}

/**
 * All `routers`, each followed by its `allowedMethods()`, as one middleware: the request's
 * first path segment picks the routers that have a route starting with it, in their
 * order, and one allowedMethods answers 405/501/OPTIONS for all of them.
 *
 * The plain chain gave every request two middleware layers per router — a dispatch, a
 * promise and, for allowedMethods, a `.then` each — where one router answers. One
 * allowedMethods is the same as one per router when they implement the same methods:
 * they read the same shared `ctx.matched`, the innermost acts first, and once it has set
 * a status the others leave it. When a router may match any path (see
 * routeFirstSegments) or the methods differ, this is the plain chain, each router gated.
 */
export function routeTable(routers: readonly Router[]): Middleware {
  const segments = routers.map((r) => routeFirstSegments(r));
  const first = routers[0];
  if (!first || segments.includes(null) || !sameMethods(routers)) {
    return inTurn(routers.flatMap((r) => [gatedRoutes(r), r.allowedMethods() as unknown as Middleware]));
  }
  const bySegment = new Map<string, Middleware>();
  for (const segment of new Set(segments.flatMap((s) => [...(s ?? [])]))) {
    const chain = routers
      .filter((_, k) => segments[k]?.has(segment))
      .map((r) => r.routes() as unknown as Middleware);
    bySegment.set(segment, chain.length === 1 ? (chain[0] as Middleware) : inTurn(chain));
  }
  const allowed = first.allowedMethods() as unknown as Middleware;
  return (ctx: Context, next: Next) =>
    allowed(ctx, () => {
      const routes = bySegment.get(firstSegment(ctx.path));
      if (routes) return routes(ctx, next);
      // What the routers' dispatches leave when none of them matches.
      (ctx as Context & { matched?: unknown[] }).matched ??= [];
      return next();
    });
}
