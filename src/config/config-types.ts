export type ApiName = 'banner' | 'journeys';
export type JourneysEnvironment = 'live' | 'test';

export interface ApiKeyConfig {
  id: string;
  hash: string;
  apis: ApiName[];
  environment?: JourneysEnvironment;
  revoked: boolean;
}

export interface WallConfig {
  id: number;
  publisherId: number;
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
  logLevel: string;
  admin: { token: string; isDemoToken: boolean };
  http: { bodyLimit: string; trustedProxies: string[] };
  geoip: { database: string | null };
  apps: AppConfig[];
}
