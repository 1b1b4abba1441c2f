import type { Context } from 'koa';
import type { ApiKeys, Caller } from '../http/api-keys.js';
import { AppError } from '../http/app-error.js';
import { authorizationCount } from '../http/authorization-headers.js';

/** The vendor's own wording for 401 and 403. */
const UNAUTHENTICATED = 'Invalid authentication, check your API Key';
const FORBIDDEN = 'Invalid authorization, no permissions to perform the requested action';

/**
 * The key in the request's Authorization header: the raw key (the vendor's form) or
 * `Bearer <key>`; undefined without one. Two headers are a 401: which app is meant is unknown.
 */
export function apiKeyFrom(ctx: Context): string | undefined {
  if (authorizationCount(ctx.req.rawHeaders) > 1) throw new AppError('INVALID_API_KEY', UNAUTHENTICATED);
  const value = ctx.get('Authorization').trim();
  if (!value) return undefined;
  const bearer = /^Bearer\s+(.+)$/i.exec(value);
  return bearer?.[1]?.trim() || value;
}

/** 401 for a missing or unknown key, 403 for a revoked key, a disabled app or a key without this API. */
export function authorizeBanner(keys: ApiKeys, rawKey: string | undefined): Caller {
  try {
    return keys.authorize(rawKey, 'banner');
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    throw new AppError(err.code, err.status === 401 ? UNAUTHENTICATED : FORBIDDEN);
  }
}
