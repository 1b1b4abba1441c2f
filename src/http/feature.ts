import type { Logger } from 'pino';
import type { OfferdConfig } from '../config/config-types.js';
import type { GeoIp } from '../geo/geo-ip.js';
import type { AppRules } from '../rules/app-rules.js';
import type { ActivationListener } from '../rules/rules-status.js';
import type { ApiAction } from '../store/admin-action-log.js';
import type { DecisionRecorder } from '../store/decisions/decision-recorder.js';
import type { Store } from '../store/store.js';
import type { ApiRouter, EdgeLimits } from './api-router.js';
import type { Metrics } from './metrics.js';

/** Where a request gets its rules: read `current` once per request and keep the snapshot. */
export interface RulesSource {
  current(appId: string): AppRules | undefined;
  /**
   * Calls `listener` for each app's serving snapshot with the instant it went live, then for
   * every snapshot that goes live, as it does: for what must date from the activation itself
   * rather than from the first request under it (an experiment's end).
   */
  whenActivated(listener: ActivationListener): void;
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
  /** What request bodies are held to (every API router reads its body through them). */
  limits: EdgeLimits;
  /**
   * Where clients reach this service, for links in responses: http.publicUrl, else the
   * listening address (known once listening). Never taken from a request's Host header.
   */
  baseUrl: () => string;
  /** Samples served decisions into the decision log (replay, impact); absent: nothing recorded. */
  decisions?: DecisionRecorder;
  /**
   * Stores an action in the admin action log, then applies the log up to it here: every
   * instance applies it (Feature.follow), this one included, in the log's order.
   */
  share(action: ApiAction): Promise<void>;
}

/**
 * What each API's `create<Api>Routes(deps, limits)` returns (in `<api>-routes.ts`): its
 * public routers and its admin routes, for its feature to hand on as they are.
 */
export interface ApiRoutes {
  readonly apis: readonly ApiRouter[];
  admin(router: ApiRouter): void;
}

/** One public API: its routers, its admin routes, and any background work it runs while the service is up. */
export interface Feature {
  readonly name: string;
  /** Its public API routers (an API family each). */
  readonly apis: readonly ApiRouter[];
  /** Adds its admin routes, paths relative to /admin, to the admin router. */
  admin?(router: ApiRouter): void;
  start?(): Promise<void>;
  stop?(): Promise<void>;
  /** Applies a shared admin action of this API, appended by any instance (FeatureDeps.share). */
  follow?(action: ApiAction): Promise<void>;
}
