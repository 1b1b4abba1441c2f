import type { Context, Next } from 'koa';

/** `path` with its leading run of slashes as one: `//v1/x` is `/v1/x`. */
export function mergedLeadingSlashes(path: string): string {
  return path.startsWith('//') ? path.replace(/^\/+/, '/') : path;
}

const BAD_TARGET = JSON.stringify({
  error: { code: 'BAD_REQUEST', message: 'the request target is not a valid URL' },
});

/**
 * `//v1/…` is `/v1/…`. GamifyHost's Flutter SDK joins its `apiUrl`'s path and `/v1/…`, so an
 * `apiUrl` ending in `/` asks for `//v1/user-journeys/…` (and a proxy may add one): without this
 * it reached no API and got the neutral 404, which the SDK reports as 'Unknown error'. Only the
 * leading run is merged, and before any router or guard reads the path, so every guard sees the
 * path the route does (test/http/leading-slashes.test.ts holds admin's 401 to that); the errors
 * Node's parser raises pick their envelope from the merged path too (main.ts familyOf).
 *
 * A target Koa cannot parse (an absolute-form URL with a broken host, `http://[bad/x`) makes
 * every read of `ctx.path` throw: it is answered here, a neutral 400, before anything reads it
 * (it was a plain-text 500 and an error line with a stack, for anyone to send).
 */
export function leadingSlashes() {
  return (ctx: Context, next: Next): Promise<void> | undefined => {
    let path: string;
    try {
      path = ctx.path;
    } catch {
      ctx.status = 400;
      ctx.type = 'application/json';
      ctx.body = BAD_TARGET;
      return;
    }
    const merged = mergedLeadingSlashes(path);
    if (merged !== path) ctx.path = merged;
    return next();
  };
}
