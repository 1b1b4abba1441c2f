export type ApiName = 'banner' | 'journeys';
export type JourneysEnvironment = 'live' | 'test';

export interface ApiKeyConfig {
  id: string;
  hash: string;
  apis: ApiName[];
  environment?: JourneysEnvironment;
  revoked: boolean;
}

/** An upstream offer feed in the vendor's Get Offers shape, paged by limit/offset. */
export interface WallFeedConfig {
  url: string;
  /** Sent as `X-API-Key`. */
  apiKey: string | null;
  pageSize: number;
  timeoutMs: number;
  /** Further attempts per page after the first, with exponential backoff from `backoffMs`. */
  retries: number;
  backoffMs: number;
  /** Cron expression for scheduled syncs; null: on demand only. */
  schedule: string | null;
}

export interface WallConfig {
  id: number;
  publisherId: number;
  /** Absolute path of the wall's shipped catalog file (Get Offers shape), or null. */
  catalog: string | null;
  feed: WallFeedConfig | null;
}

/** Secrets of an app's offerwall: click links and postbacks are signed with them. */
export interface OfferwallAppConfig {
  clickSecret: string;
  postbackSecret: string;
}

export interface JourneysAppConfig {
  /** Cron expression of the offer generation job; null when the schedule is off. */
  schedule: string | null;
}

export interface AppConfig {
  id: string;
  name: string;
  status: 'active' | 'disabled';
  keys: ApiKeyConfig[];
  walls: WallConfig[];
  offerwall: OfferwallAppConfig | null;
  journeys: JourneysAppConfig;
}

export type StoreKind = 'lowdb' | 'memory' | 'postgres';

/** The one typed, frozen configuration; only main.ts and the CLI build it. */
export interface OfferdConfig {
  configPath: string;
  port: number;
  host: string;
  rulesDir: string;
  dataDir: string;
  store: StoreKind;
  databaseUrl: string | null;
  /** The PostgreSQL pool of this instance (OFFERD_PG_*; docs/postgresql.md). */
  postgres: { poolMax: number; statementTimeoutMs: number; connectionTimeoutMs: number };
  /** OFFERD_INSTANCE_ID: how /admin/rules names this instance; null: hostname:pid. */
  instanceId: string | null;
  logLevel: string;
  admin: { token: string; isDemoToken: boolean };
  /** OFFERD_METRICS_TOKEN: /metrics then needs it (or the admin token) as a bearer token; null: /metrics is open. */
  metricsToken: string | null;
  /** publicUrl: the configured base URL of click links; null: this process's listening address. */
  http: { bodyLimit: string; trustedProxies: string[]; publicUrl: string | null };
  /** Click links: valid `clickLinkTtlMs` after they are served; links without expiry until `legacyLinksUntil`. */
  offerwall: { clickLinkTtlMs: number; legacyLinksUntil: Date };
  geoip: { database: string | null };
  /** fixturesGate: a snapshot goes live only when the app's fixtures pass (rules.fixturesGate, OFFERD_FIXTURES_GATE). */
  rules: { fixturesGate: boolean };
  /** Sampled decisions kept for replay (decisionLog.*; the HMAC key of user ids from OFFERD_DECISION_LOG_KEY, null: ids as served). */
  decisionLog: { sampleRate: number; maxPerApi: number; userIdKey: string | null };
  apps: AppConfig[];
}
