import Router, { type RouterMiddleware } from '@koa/router';
import type { Middleware } from 'koa';
import type { ApiFamily } from './api-family.js';
import { AppError, invalidInput } from './app-error.js';
import { type BatchBodies, bodyReader } from './body-reader.js';
import { publicCors } from './cors.js';
import { type InputBounds, notText } from './input-bounds.js';
import type { RequestState } from './request-context.js';
import { setHeader } from './set-header.js';

/** What every route of one API shares: who it answers as, who may call it, how its body is read. */
export interface ApiRouterOptions {
  /** The envelope every response of this API is rendered in, errors included. */
  family: ApiFamily;
  /** A path prefix every route of this API starts with (`/admin`). */
  prefix?: string;
  /**
   * Middleware run before the route, in order: /admin's token guard, then the body reader;
   * a public API's CORS, then the body reader, with its key checked by each route (the
   * SDKs' /track may carry its key only inside the body, as each event's `token`). Each is in
   * every route's own chain, so whatever spelling of a path reaches a route has passed
   * them: @koa/router matches routes case-insensitively but its `router.use` layers with
   * a prefix case-sensitively, so a guard mounted with `use` let `/ADMIN/rules` through.
   */
  before: readonly Middleware[];
  /**
   * The chain a path no route has runs before its 404 (under a prefix); default `before`.
   * A public API leaves out the CORS preflight answer, so OPTIONS on an unknown path is a
   * 404 rather than a 204 that says the path exists.
   */
  unknownPathBefore?: readonly Middleware[];
}

type Handler = RouterMiddleware;
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * One API's router: the only thing that decides a request belongs to this API. A path
 * it knows answers in its family's envelope whatever the method (405 with `Allow` for
 * a method it lacks, after its auth), and every route runs the API's `before` chain.
 * Paths it does not know fall through to the next API and, past the last, to a
 * neutral 404.
 */
export class ApiRouter {
  readonly family: ApiFamily;
  readonly #prefix: string | undefined;
  readonly #router: Router;
  readonly #before: Handler[];
  readonly #unknownPathBefore: Handler[];
  readonly #methods = new Map<string, Set<Method>>();
  /** Paths whose GET writes: HEAD is not among their methods. */
  readonly #headless = new Set<string>();
  #sealed = false;

  constructor(options: ApiRouterOptions) {
    this.family = options.family;
    this.#prefix = options.prefix;
    this.#router = new Router(options.prefix ? { prefix: options.prefix } : {});
    const family = options.family;
    // Every answer of a client API or /admin is per user (or per key) and per moment, errors
    // included: no cache may keep one (RevU says never to cache them). Journeys GETs carried no
    // Cache-Control, so a shared cache keyed on the URL could serve one key's profile to another.
    // Neutral routes (health, reference, console) say for themselves.
    const perCaller = family !== 'neutral';
    const enter: Handler = (ctx, next) => {
      (ctx.state as RequestState).family = family;
      if (perCaller) setHeader(ctx, 'Cache-Control', 'no-store');
      return next();
    };
    // After the API's own chain: a caller the admin guard refuses learns nothing of the path
    // (`/admin/rules%00` without a token was a 400, not the 401 docs/security.md promises).
    const checkPath: Handler = (ctx, next) => {
      const problem = pathProblem(ctx.path, ctx.params);
      if (problem) throw invalidInput([{ field: 'path', message: problem }]);
      return next();
    };
    this.#before = [enter, ...(options.before as unknown as Handler[]), checkPath];
    this.#unknownPathBefore = options.unknownPathBefore
      ? [enter, ...(options.unknownPathBefore as unknown as Handler[]), checkPath]
      : this.#before;
  }

  get(path: string | string[], ...handlers: Handler[]): this {
    return this.#route('GET', path, handlers);
  }

  /**
   * A GET that records something (a click, a postback). HEAD is refused with a 405 instead
   * of running it, as Koa's router would: link checkers and prefetchers send HEAD on links
   * no user followed, and a HEAD must change nothing.
   */
  getThatWrites(path: string | string[], ...handlers: Handler[]): this {
    for (const p of Array.isArray(path) ? path : [path]) {
      this.#headless.add(p);
      const noHead: Handler = (ctx, next) => {
        if (ctx.method !== 'HEAD') return next();
        const allow = this.#allowed(p);
        ctx.set('Allow', allow);
        throw new AppError('METHOD_NOT_ALLOWED', `HEAD is not allowed here; use ${allow}`);
      };
      this.#route('GET', p, [noHead, ...handlers]);
    }
    return this;
  }

  post(path: string | string[], ...handlers: Handler[]): this {
    return this.#route('POST', path, handlers);
  }

  put(path: string | string[], ...handlers: Handler[]): this {
    return this.#route('PUT', path, handlers);
  }

  delete(path: string | string[], ...handlers: Handler[]): this {
    return this.#route('DELETE', path, handlers);
  }

  /** Every route of this API as a client writes it (prefix included), for listings and tests. */
  routes(): { family: ApiFamily; method: Method; path: string }[] {
    const prefix = this.#prefix ?? '';
    return [...this.#methods].flatMap(([path, methods]) =>
      [...methods].map((method) => ({ family: this.family, method, path: `${prefix}${path}` })),
    );
  }

  /**
   * Whether a request for `path` (no query string) is this API's, as routing decides it
   * once the router is mounted: a path it knows (with any method: 405 is its answer for a
   * method it lacks) or, under a prefix, any path. For what Node's parser refuses before
   * Koa sees it (http-server.ts), so that it answers in the same envelope.
   */
  claims(path: string): boolean {
    return this.#sealed && this.#router.match(path, 'GET').path.length > 0;
  }

  /** The methods a path answers, for `Allow`: HEAD with a GET, unless that GET writes. */
  #allowed(path: string): string {
    const methods = [...(this.#methods.get(path) ?? [])];
    return [...methods, ...(methods.includes('GET') && !this.#headless.has(path) ? ['HEAD'] : [])].join(', ');
  }

  #route(method: Method, path: string | string[], handlers: Handler[]): this {
    if (this.#sealed) throw new Error(`${this.family}: routes added after the router was mounted`);
    const paths = Array.isArray(path) ? path : [path];
    for (const p of paths) {
      const methods = this.#methods.get(p) ?? new Set<Method>();
      methods.add(method);
      this.#methods.set(p, methods);
    }
    this.#router.register(paths, [method], [...this.#before, ...handlers]);
    return this;
  }

  /**
   * The router as Koa middleware. Each known path also gets a route for every other
   * method, registered last so a real route answers first: it runs the `before` chain
   * (a preflight is answered by CORS, an admin path without a token is a 401) and then
   * answers 405 naming the methods the path has. Under a prefix, a path no route has is
   * still this API's: its 404 is in this API's envelope, after its auth.
   */
  middleware(): Middleware {
    if (!this.#sealed) {
      this.#sealed = true;
      for (const path of this.#methods.keys()) {
        const allow = this.#allowed(path);
        const notAllowed: Handler = (ctx) => {
          ctx.set('Allow', allow);
          throw new AppError('METHOD_NOT_ALLOWED', `${ctx.method} is not allowed here; use ${allow}`);
        };
        this.#router.all(path, ...this.#before, notAllowed);
      }
      if (this.#prefix) {
        const notFound: Handler = () => {
          throw new AppError('NOT_FOUND', 'Not found');
        };
        this.#router.all('{/*rest}', ...this.#unknownPathBefore, notFound);
      }
    }
    return this.#router.routes() as unknown as Middleware;
  }
}

/**
 * Why a path names nothing, or null. @koa/router gives a parameter whose escapes do not
 * decode (`%ff`, `%zz`) as its raw text, so `/users/a%ff` read the user `a%ff`, as
 * `/users/a%25ff` does (hostile probe); a decoded NUL or lone surrogate is no id any store
 * keeps (PostgreSQL answered 500: notText).
 */
function pathProblem(path: string, params: Record<string, string> | undefined): string | null {
  // Only a path with escapes can hold a bad one: most requests skip the decode.
  if (path.includes('%')) {
    try {
      decodeURIComponent(path);
    } catch {
      return 'has a %-escape that is not UTF-8';
    }
  }
  for (const value of Object.values(params ?? {})) {
    const problem = notText(value);
    if (problem) return problem;
  }
  return null;
}

/** What every request body is held to at the edge (config `http.bodyLimit`; bounds documented in input-bounds.ts). */
export interface EdgeLimits {
  bodyLimit: string;
  bounds?: InputBounds;
}

/**
 * A public client API: open CORS, a bounded JSON body, read before the route checks the
 * key (a body over the limit or not JSON is refused before a missing key is): the key of
 * an SDK /track may be in the body only, and a body costs at most `bodyLimit` to read.
 */
export function publicApi(
  family: ApiFamily,
  limits: EdgeLimits,
  options: { prefix?: string; batches?: BatchBodies; preflightOnUnknownPaths?: boolean } = {},
): ApiRouter {
  const { prefix, batches, preflightOnUnknownPaths = false } = options;
  const body = bodyReader({
    limit: limits.bodyLimit,
    ...(limits.bounds ? { bounds: limits.bounds } : {}),
    ...(batches ? { batches } : {}),
  });
  return new ApiRouter({
    family,
    ...(prefix ? { prefix } : {}),
    before: [publicCors(), body],
    unknownPathBefore: [publicCors({ preflight: preflightOnUnknownPaths }), body],
  });
}

/** /admin: the token is checked before anything else, the body included; no CORS. */
export function adminApi(guard: Middleware, limits: EdgeLimits): ApiRouter {
  return new ApiRouter({
    family: 'admin',
    prefix: '/admin',
    before: [
      guard,
      bodyReader({ limit: limits.bodyLimit, ...(limits.bounds ? { bounds: limits.bounds } : {}) }),
    ],
  });
}
