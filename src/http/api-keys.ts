import { hashApiKey } from '../config/api-key.js';
import type { ApiKeyConfig, ApiName, AppConfig } from '../config/config-types.js';
import { AppError } from './app-error.js';

export interface Caller {
  app: AppConfig;
  key: ApiKeyConfig;
}

/**
 * Finds the app behind an API key. Keys are looked up by their hash, so the raw key
 * is never kept; the outcomes map to the vendors' status codes: unknown → 401,
 * revoked, disabled app or a key without this API → 403.
 */
export class ApiKeys {
  private readonly byHash = new Map<string, Caller>();

  constructor(apps: readonly AppConfig[]) {
    for (const app of apps) for (const key of app.keys) this.byHash.set(key.hash, { app, key });
  }

  /** The caller for `rawKey`, or undefined when no key matches. */
  find(rawKey: string): Caller | undefined {
    return this.byHash.get(hashApiKey(rawKey));
  }

  /** Resolves and authorizes; messages are the journeys vendor's, which other families may override. */
  authorize(rawKey: string | undefined, api: ApiName): Caller {
    if (!rawKey) throw new AppError('MISSING_API_KEY', 'Missing API key');
    const caller = this.find(rawKey);
    if (!caller) throw new AppError('INVALID_API_KEY', 'Invalid API key');
    if (caller.key.revoked) throw new AppError('API_KEY_REVOKED', 'API key has been revoked');
    if (caller.app.status !== 'active') throw new AppError('APP_NOT_ACTIVE', 'Application is not active');
    if (!caller.key.apis.includes(api))
      throw new AppError('API_NOT_ALLOWED', `API key may not call the ${api} API`);
    return caller;
  }
}
