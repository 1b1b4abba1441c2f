import type Router from '@koa/router';
import type { Logger } from 'pino';
import type { OfferdConfig } from '../config/config-types.js';
import type { GeoIp } from '../geo/geo-ip.js';
import type { AppRules } from '../rules/app-rules.js';
import type { Store } from '../store/store.js';
import type { Metrics } from './metrics.js';

/** Where a request gets its rules: read `current` once per request and keep the snapshot. */
export interface RulesSource {
  current(appId: string): AppRules | undefined;
}

/** Everything a feature may use, handed over by main.ts (no module-level singletons). */
export interface FeatureDeps {
  config: OfferdConfig;
  rules: RulesSource;
  store: Store;
  logger: Logger;
  metrics: Metrics;
  geo: GeoIp;
  now: () => Date;
  /**
   * Where clients reach this service, for links in responses: http.publicUrl, else the
   * listening address (known once listening). Never taken from a request's Host header.
   */
  baseUrl: () => string;
}

/** One public API: its routes, and any background work it runs while the service is up. */
export interface Feature {
  readonly name: string;
  readonly router: Router;
  start?(): Promise<void>;
  stop?(): Promise<void>;
}
