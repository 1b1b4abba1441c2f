import type { ApiKeys, Caller } from '../http/api-keys.js';
import { AppError } from '../http/app-error.js';

/** The vendor's own wording for 401 and 403. */
const UNAUTHENTICATED = 'Invalid authentication, check your API Key';
const FORBIDDEN = 'Invalid authorization, no permissions to perform the requested action';

/** The key in an Authorization header: the raw key (the vendor's form) or `Bearer <key>`. */
export function apiKeyFrom(header: string | undefined): string | undefined {
  const value = header?.trim();
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
