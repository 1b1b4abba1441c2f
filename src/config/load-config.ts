import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Cron } from 'croner';
import { durationMs } from '../journeys/domain/duration.js';
import { formatProblem, type Problem } from '../rules/problems.js';
import { createAjv, validateAt } from '../rules/schemas/ajv.js';
import { YamlSource } from '../rules/yaml-source.js';
import { hashApiKey } from './api-key.js';
import { configSchema } from './config-schema.js';
import type { AppConfig, OfferdConfig, StoreKind, WallConfig, WallFeedConfig } from './config-types.js';

export const DEMO_ADMIN_TOKEN = 'demo-admin-token';
/** The secrets config/offerd.yaml ships: public, so never good enough in production. */
const DEMO_SECRETS: ReadonlySet<string> = new Set([
  DEMO_ADMIN_TOKEN,
  'demo-click-secret-change-me',
  'demo-postback-secret-change-me',
]);
/**
 * The API keys config/offerd.yaml ships (as hashes), printed in the README: anyone can
 * call an app with them, so production refuses them like the demo secrets.
 */
const DEMO_API_KEY_HASHES: ReadonlySet<string> = new Set(
  ['demo-key', 'pk_live_demo', 'pk_test_demo'].map(hashApiKey),
);
/** Click links are valid this long after they are served, unless offerwall.clickLinkTtl says otherwise. */
export const DEFAULT_CLICK_LINK_TTL = '30d';
/**
 * Links signed before links carried an expiry are accepted until then (30 days after
 * expiring links shipped), unless offerwall.legacyLinksUntil says otherwise.
 */
export const DEFAULT_LEGACY_LINKS_UNTIL = '2026-12-31T00:00:00Z';
/** The journeys offer generation job runs hourly unless an app says otherwise. */
export const DEFAULT_JOURNEYS_SCHEDULE = '0 * * * *';

/** A configuration that cannot be used; its message is meant for the operator, as is. */
/** OFFERD_FIXTURES_GATE and the like: 1/true/0/false; undefined when unset. */
function envFlag(value: string | undefined): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (/^(1|true|on)$/i.test(value)) return true;
  if (/^(0|false|off)$/i.test(value)) return false;
  throw new ConfigError(`OFFERD_FIXTURES_GATE: '${value}' is not 1/true/0/false`);
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function envInt(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got '${raw}'`);
  }
  return n;
}

function envStore(env: Env): StoreKind {
  const raw = env.OFFERD_STORE ?? 'lowdb';
  if (raw === 'lowdb' || raw === 'memory' || raw === 'postgres') return raw;
  throw new ConfigError(`OFFERD_STORE must be lowdb, memory or postgres, got '${raw}'`);
}

/** pino's levels: another one made pino throw a stack trace at start. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function envLogLevel(env: Env): string {
  const raw = env.LOG_LEVEL;
  if (raw === undefined || raw === '') return 'info';
  if ((LOG_LEVELS as readonly string[]).includes(raw)) return raw;
  throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got '${raw}'`);
}

/** A shipped demo secret, or one that says it is a placeholder. */
export function isDemoSecret(value: string): boolean {
  return DEMO_SECRETS.has(value) || /change-?me/i.test(value);
}

/** One setting that is fine for a demo and unsafe when exposed: what it is and how to fix it. */
export interface UnsafeDefault {
  /** The environment variable or config key to set. */
  key: string;
  message: string;
}

/**
 * What a production deployment must change: the demo admin token, demo offerwall
 * secrets, the shipped demo API keys, and a missing http.publicUrl when an app has walls
 * (click links need it).
 * Production refuses to start with any of them; elsewhere each is a warning.
 */
export function unsafeDefaults(config: OfferdConfig): UnsafeDefault[] {
  const found: UnsafeDefault[] = [];
  const file = config.configPath;
  if (isDemoSecret(config.admin.token)) {
    found.push({
      key: 'OFFERD_ADMIN_TOKEN',
      message: `the admin token is a demo value: set OFFERD_ADMIN_TOKEN (or admin.token in ${file}) to a secret of your own`,
    });
  }
  config.apps.forEach((app, a) => {
    app.keys.forEach((k, i) => {
      if (!DEMO_API_KEY_HASHES.has(k.hash)) return;
      const key = `apps[${a}].keys[${i}].hash`;
      found.push({
        key,
        message: `${key} (API key '${k.id}') of app '${app.id}' is a shipped demo key, public in the README: replace it in ${file} with the hash of a key of your own (npx offerd keys hash <key>)`,
      });
    });
    for (const name of ['clickSecret', 'postbackSecret'] as const) {
      const value = app.offerwall?.[name];
      if (value === undefined || !isDemoSecret(value)) continue;
      const key = `apps[${a}].offerwall.${name}`;
      found.push({
        key,
        message: `${key} of app '${app.id}' is a demo value: set it in ${file} to a secret of your own`,
      });
    }
  });
  const walled = config.apps.find((app) => app.walls.length > 0);
  if (!config.http.publicUrl && walled) {
    found.push({
      key: 'http.publicUrl',
      message:
        `http.publicUrl is not set and app '${walled.id}' has offer walls: set it in ${file} to the ` +
        `URL clients reach offerd at (click links start with it; without it they use ${listeningUrl(config)})`,
    });
  }
  return found;
}

/** Where this process listens, as a URL: what click links use when http.publicUrl is unset. */
export function listeningUrl(config: Pick<OfferdConfig, 'host' | 'port'>, port = config.port): string {
  const { host } = config;
  if (host === '' || host === '0.0.0.0' || host === '::') return `http://localhost:${port}`;
  return host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}

/** Checks what a schema cannot: unique ids across apps, keys and walls. */
function crossChecks(apps: AppConfig[], source: YamlSource): Problem[] {
  const problems: Problem[] = [];
  const seen = new Map<string, string>();
  const claim = (key: string, what: string, at: (string | number)[]) => {
    if (seen.has(key)) problems.push(source.problem(at, `duplicate ${what} (also used by ${seen.get(key)})`));
    else seen.set(key, at.join('/'));
  };
  apps.forEach((app, a) => {
    claim(`app:${app.id}`, `app id '${app.id}'`, ['apps', a, 'id']);
    app.keys.forEach((k, i) => {
      claim(`key:${k.hash}`, `API key hash`, ['apps', a, 'keys', i, 'hash']);
      if (k.apis.includes('journeys') && !k.environment) {
        problems.push(
          source.problem(['apps', a, 'keys', i], `journeys key '${k.id}' needs environment: live or test`),
        );
      }
    });
    app.walls.forEach((w, i) => {
      claim(`wall:${w.id}`, `wall id ${w.id}`, ['apps', a, 'walls', i, 'id']);
      problems.push(...wallChecks(w, ['apps', a, 'walls', i], source));
    });
    if (app.walls.length > 0 && !app.offerwall) {
      problems.push(
        source.problem(
          ['apps', a],
          `app '${app.id}' has walls and needs offerwall.clickSecret and postbackSecret`,
        ),
      );
    }
    const cronProblem = app.journeys.schedule && checkCron(app.journeys.schedule);
    if (cronProblem) problems.push(source.problem(['apps', a, 'journeys', 'schedule'], cronProblem));
  });
  return problems;
}

/** Null when croner accepts `pattern`, else why not. */
function checkCron(pattern: string): string | null {
  try {
    new Cron(pattern, { paused: true }).stop();
    return null;
  } catch (err) {
    return `invalid cron expression '${pattern}': ${(err as Error).message}`;
  }
}

function journeysSchedule(raw: string | undefined): string | null {
  if (raw === 'off') return null;
  return raw ?? DEFAULT_JOURNEYS_SCHEDULE;
}

function wallChecks(w: WallConfig, at: (string | number)[], source: YamlSource): Problem[] {
  const problems: Problem[] = [];
  if (!w.catalog && !w.feed) problems.push(source.problem(at, `wall ${w.id} needs a catalog file or a feed`));
  if (w.feed?.schedule) {
    try {
      new Cron(w.feed.schedule, { paused: true }).stop();
    } catch (err) {
      problems.push(
        source.problem([...at, 'feed', 'schedule'], `invalid cron expression: ${(err as Error).message}`),
      );
    }
  }
  return problems;
}

type RawWall = Omit<WallConfig, 'catalog' | 'feed'> & {
  catalog?: string;
  feed?: Partial<WallFeedConfig> & { url: string };
};

function toWall(w: RawWall, configDir: string): WallConfig {
  const f = w.feed;
  return {
    id: w.id,
    publisherId: w.publisherId,
    catalog: w.catalog ? path.resolve(configDir, w.catalog) : null,
    feed: f
      ? {
          url: f.url,
          apiKey: f.apiKey ?? null,
          pageSize: f.pageSize ?? 100,
          timeoutMs: f.timeoutMs ?? 10_000,
          retries: f.retries ?? 2,
          backoffMs: f.backoffMs ?? 500,
          schedule: f.schedule ?? null,
        }
      : null,
  };
}

function refuseUnsafeDefaults(config: OfferdConfig): void {
  const unsafe = unsafeDefaults(config);
  if (unsafe.length === 0) return;
  throw new ConfigError(
    ['NODE_ENV=production refuses demo settings:', ...unsafe.map((u) => `- ${u.message}`)].join('\n'),
  );
}

/**
 * Builds the configuration from the environment and the YAML file it names
 * (`OFFERD_CONFIG`, default config/offerd.yaml). Throws ConfigError with every
 * problem, located as file:line:col, so start-up can stop with a clear message.
 * With NODE_ENV=production it also refuses every unsafeDefaults finding.
 */
/** A share 0..1 from the environment (tests record every decision with 1). */
function envRate(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) {
    throw new ConfigError(`OFFERD_DECISION_LOG_SAMPLE_RATE: a number from 0 to 1, not '${value}'`);
  }
  return n;
}

/** The config file read when OFFERD_CONFIG names none. */
export const DEFAULT_CONFIG_PATH = 'config/offerd.yaml';

export function loadConfig(env: Env = process.env, overrides: Partial<OfferdConfig> = {}): OfferdConfig {
  const configPath = env.OFFERD_CONFIG ?? DEFAULT_CONFIG_PATH;
  let text: string;
  try {
    text = readFileSync(configPath, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config ${configPath}: ${(err as Error).message}`);
  }
  const parsed = YamlSource.parse(configPath, text);
  if ('problems' in parsed) throw new ConfigError(parsed.problems.map(formatProblem).join('\n'));
  const validate = createAjv().compile(configSchema);
  const problems = validateAt(validate, parsed.value, parsed.source, []);
  if (problems.length > 0) throw new ConfigError(problems.map(formatProblem).join('\n'));

  const file = parsed.value as {
    admin?: { token?: string };
    http?: { bodyLimit?: string; trustedProxies?: string[]; publicUrl?: string };
    offerwall?: { clickLinkTtl?: string; legacyLinksUntil?: string };
    geoip?: { database?: string };
    rules?: { fixturesGate?: boolean };
    decisionLog?: { sampleRate?: number; maxPerApi?: number };
    apps: (Omit<AppConfig, 'walls' | 'keys' | 'offerwall' | 'journeys'> & {
      walls?: RawWall[];
      keys: AppConfig['keys'];
      offerwall?: AppConfig['offerwall'];
      journeys?: { schedule?: string };
    })[];
  };
  const configDir = path.dirname(configPath);
  const apps: AppConfig[] = file.apps.map((a) => ({
    ...a,
    keys: a.keys.map((k) => ({ ...k, revoked: k.revoked ?? false })),
    walls: (a.walls ?? []).map((w) => toWall(w, configDir)),
    offerwall: a.offerwall ?? null,
    journeys: { schedule: journeysSchedule(a.journeys?.schedule) },
  }));
  const cross = crossChecks(apps, parsed.source);
  if (cross.length > 0) throw new ConfigError(cross.map(formatProblem).join('\n'));

  const token = env.OFFERD_ADMIN_TOKEN || file.admin?.token || DEMO_ADMIN_TOKEN;
  const config: OfferdConfig = {
    configPath,
    port: envInt(env, 'PORT', 8080, 0, 65535),
    host: env.HOST ?? '0.0.0.0',
    rulesDir: env.OFFERD_RULES_DIR ?? 'rules',
    dataDir: env.OFFERD_DATA_DIR ?? 'data',
    store: envStore(env),
    databaseUrl: env.DATABASE_URL ?? null,
    postgres: {
      poolMax: envInt(env, 'OFFERD_PG_POOL_MAX', 10, 1, 1000),
      statementTimeoutMs: envInt(env, 'OFFERD_PG_STATEMENT_TIMEOUT_MS', 5000, 0, 3_600_000),
      connectionTimeoutMs: envInt(env, 'OFFERD_PG_CONNECT_TIMEOUT_MS', 2000, 1, 600_000),
    },
    instanceId: env.OFFERD_INSTANCE_ID || null,
    logLevel: envLogLevel(env),
    admin: { token, isDemoToken: token === DEMO_ADMIN_TOKEN },
    metricsToken: env.OFFERD_METRICS_TOKEN || null,
    http: {
      bodyLimit: file.http?.bodyLimit ?? '1mb',
      trustedProxies: file.http?.trustedProxies ?? [],
      publicUrl: file.http?.publicUrl?.replace(/\/+$/, '') ?? null,
    },
    offerwall: {
      clickLinkTtlMs: durationMs(file.offerwall?.clickLinkTtl ?? DEFAULT_CLICK_LINK_TTL),
      legacyLinksUntil: new Date(file.offerwall?.legacyLinksUntil ?? DEFAULT_LEGACY_LINKS_UNTIL),
    },
    geoip: { database: file.geoip?.database ? path.resolve(configDir, file.geoip.database) : null },
    rules: { fixturesGate: envFlag(env.OFFERD_FIXTURES_GATE) ?? file.rules?.fixturesGate ?? true },
    decisionLog: {
      sampleRate: envRate(env.OFFERD_DECISION_LOG_SAMPLE_RATE) ?? file.decisionLog?.sampleRate ?? 0.01,
      maxPerApi: file.decisionLog?.maxPerApi ?? 10_000,
      userIdKey: env.OFFERD_DECISION_LOG_KEY || null,
    },
    apps,
    ...overrides,
  };
  if (config.store === 'postgres' && !config.databaseUrl) {
    throw new ConfigError('OFFERD_STORE=postgres needs DATABASE_URL');
  }
  if (env.NODE_ENV === 'production') refuseUnsafeDefaults(config);
  return Object.freeze(config);
}
