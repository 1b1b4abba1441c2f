import { once } from 'node:events';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import { pino } from 'pino';
import { AdminActionFollower } from './admin/admin-action-follower.js';
import { adminAuth, metricsAuth } from './admin/admin-auth.js';
import { explainRoutes } from './admin/explain-routes.js';
import { impactRoutes, type LoadedCandidate } from './admin/impact-routes.js';
import { noRulesReason, opsRoutes } from './admin/ops-routes.js';
import { type InstanceIdentity, rulesRoutes } from './admin/rules-routes.js';
import { apiReference } from './api-reference.js';
import { createAppLoader, createCaseRunners, createChangeWarnings, openStore } from './apis.js';
import type { OfferdConfig } from './config/config-types.js';
import { ConfigError, listeningUrl, loadConfig, unsafeDefaults } from './config/load-config.js';
import { consoleRoutes } from './console/console-routes.js';
import { createFeatures } from './create-features.js';
import { fixturesGate } from './fixtures/fixtures-gate.js';
import { openGeoIp } from './geo/geo-ip.js';
import type { ApiFamily } from './http/api-family.js';
import { adminApi, type EdgeLimits, type Method } from './http/api-router.js';
import { createApp } from './http/create-app.js';
import type { Feature, FeatureDeps } from './http/feature.js';
import {
  closeHttpServer,
  createHttpServer,
  type HttpTimeouts,
  SHUTDOWN_DRAIN_MS,
} from './http/http-server.js';
import { mergedLeadingSlashes } from './http/leading-slashes.js';
import { checkHost, listenFailure } from './http/listen-errors.js';
import { createMetrics, recordReload } from './http/metrics.js';
import { referenceRoutes } from './http/openapi/reference-routes.js';
import { requiredKinds, servesFixtureApi } from './required-kinds.js';
import { readAppFiles } from './rules/app-loader.js';
import { LastGoodKeeper } from './rules/last-good-keeper.js';
import { RulesRegistry } from './rules/rules-registry.js';
import { RulesWatcher } from './rules/rules-watcher.js';
import { startFailure } from './start-failure.js';
import { type ApiAction, rollbackPins } from './store/admin-action-log.js';
import { decisionRecorder, openDecisionLog } from './store/decisions/open-decision-log.js';
import { registerPostgresMetrics } from './store/postgres/postgres-metrics.js';
import { isPostgresStore } from './store/postgres/postgres-store.js';

/** The version the API reference states: package.json's, beside src/ and dist/ alike. */
const OFFERD_VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string })
  .version;

export interface RunningService {
  server: Server;
  port: number;
  registry: RulesRegistry;
  /** Every route the service answers, by API family (the admin ones under /admin). */
  routes: { family: ApiFamily; method: Method; path: string }[];
  /** Stops; the first call's options hold (a second call waits for the same stop). */
  stop(options?: StopOptions): Promise<void>;
}

export interface StopOptions {
  /** Drain the HTTP server this long first (closeHttpServer); none unless asked, as in tests. */
  drainMs?: number;
  /** The signal that asked for the stop, named in the log (an outside kill read as a mystery stop). */
  signal?: string;
}

/** OFFERD_INSTANCE_ID, else hostname:pid: unique per process on one host, readable across hosts. */
function instanceIdentity(config: OfferdConfig): InstanceIdentity {
  const host = hostname();
  return {
    id: config.instanceId ?? `${host}:${process.pid}`,
    hostname: host,
    pid: process.pid,
    startedAt: new Date().toISOString(),
  };
}

/**
 * Garbage bounded at ~10 % of the live heap: V8 reads --heap-growing-percent at every GC, so
 * setting it here holds from the store's load on, for `npm start` and `offerd serve` alike.
 * On a host with plenty of memory V8 otherwise lets the old generation grow to 2–4× its live
 * size before a major GC: on the bench's 100,000-user lowdb store, RSS after 10 s of load of
 * each API was 833 MB without it and 437 MB with it (2026-12-02, docs/performance.md). The
 * embedded store holds every record in memory; on PostgreSQL it costs a few more major GCs.
 */
function boundGarbage(): void {
  v8.setFlagsFromString('--heap-growing-percent=10');
}

/** Wires everything from one config and starts listening. Tests call this with their own config. */
export async function startService(
  config: OfferdConfig,
  options: { watch?: boolean; now?: () => Date; httpTimeouts?: HttpTimeouts } = {},
): Promise<RunningService> {
  // Before anything is loaded: a HOST that names nothing failed only at listen, as a getaddrinfo stack.
  await checkHost(config.host);
  const logger = pino({ level: config.logLevel, base: { service: 'offerd' } });
  // In production loadConfig refused these; elsewhere the demo works, with a warning for each.
  for (const unsafe of unsafeDefaults(config)) logger.warn({ key: unsafe.key }, unsafe.message);
  const loader = createAppLoader();
  const gateOf = (dir: string) => fixturesGate(dir, config.apps, createCaseRunners(), servesFixtureApi);
  let lastGood: LastGoodKeeper | null = null;
  const metrics = createMetrics(loader.decisionStats, () => registry);
  const registry = new RulesRegistry({
    rulesDir: config.rulesDir,
    apps: config.apps.map((a) => a.id),
    requiredKinds: (appId) => requiredKinds(config.apps.find((a) => a.id === appId)),
    loader,
    logger,
    ...(config.rules.fixturesGate ? { gate: gateOf(config.rulesDir) } : {}),
    // The store opens below; the first reload (start) runs after it, and compares with nothing.
    changeWarnings: createChangeWarnings(() => store),
    observe: (o) => {
      lastGood?.observe(o);
      recordReload(metrics, o, registry);
    },
  });
  const store = await openStore(config, {
    // Not the error itself: pg-pool hangs the connection on it (`err.client`, ~5 KB per log line).
    onIdleError: (err) =>
      logger.error(
        { err: { message: err.message, code: (err as { code?: unknown }).code } },
        'an idle PostgreSQL connection failed; the pool reconnects',
      ),
    onError: (err) => logger.error({ err }, 'a background store write failed'),
  });
  if (isPostgresStore(store)) {
    registerPostgresMetrics(metrics.registry, store);
    const { current, database } = store.migrations;
    // A newer offerd migrated it: its steps only add, so this one runs on it (a rolling deploy,
    // or a rollback of one), but what it added this instance does not know.
    if (database > current)
      logger.warn(
        { schema: database, offerd: current },
        `the database schema is at version ${database}, newer than this offerd's ${current} (a downgrade): serving on it, since migrations only add`,
      );
  }
  const keeper = new LastGoodKeeper(registry, store.lastGoodRules, logger);
  lastGood = keeper;
  // A rollback in force is served from the start: the files it pins away never go live here.
  // The follower takes the log over from this very read (follower.start below).
  const joined = await store.adminActions.current();
  await registry.start(rollbackPins(joined.rollbacks));
  await keeper.restoreMissing();
  const watcher = new RulesWatcher(registry, logger);
  if (options.watch !== false) await watcher.start();
  const limits: EdgeLimits = { bodyLimit: config.http.bodyLimit };
  // One log per store: serving records into it, the impact route replays what it holds.
  const decisionLog = await openDecisionLog(config, store);
  const identity = instanceIdentity(config);
  // Rollback, reload and catalog syncs are stored before they are applied: on PostgreSQL the
  // log reaches every instance (polled); the embedded store's file is this process's alone. A
  // rollback in force is joined before this instance serves, after a restart too.
  const follower = new AdminActionFollower(
    store.adminActions,
    // The features are created below, before the follower starts or anything is performed.
    { rules: registry, apis: (action) => applyToFeatures(features, action) },
    identity.id,
    logger,
    isPostgresStore(store) ? 500 : null,
  );
  // The port links name when http.publicUrl is unset: PORT=0 picks one when listening.
  let listeningPort = config.port;
  const deps: FeatureDeps = {
    config,
    limits,
    rules: registry,
    store,
    logger,
    metrics,
    geo: await openGeoIp(config.geoip.database),
    // Tests pass a clock they can move (offer expiry, lifecycle by days since last seen).
    now: options.now ?? (() => new Date()),
    baseUrl: () => config.http.publicUrl ?? listeningUrl(config, listeningPort),
    decisions: decisionRecorder(config, decisionLog, store, logger),
    share: async (action) => {
      await follower.perform(action);
    },
  };
  const features: Feature[] = createFeatures(deps);
  const admin = adminApi(adminAuth(config.admin.token), limits);
  await follower.start(joined);
  rulesRoutes(admin, registry, identity, (a) => follower.perform(a), keeper);
  explainRoutes(admin, {
    rules: registry,
    apps: config.apps,
    runners: createCaseRunners(),
    store,
    now: deps.now,
  });
  // Its own loader: candidates are parsed beside, never into, the registry's cache.
  const candidates = createAppLoader();
  impactRoutes(admin, {
    rules: registry,
    apps: config.apps,
    runners: createCaseRunners(),
    decisions: decisionLog,
    sampleRate: config.decisionLog.sampleRate,
    rulesDir: config.rulesDir,
    load: async (dir, appId): Promise<LoadedCandidate> => {
      const loaded = candidates.load(await readAppFiles(dir, appId));
      return loaded.ok ? { ok: true, rules: loaded.rules } : { ok: false, problems: loaded.problems };
    },
    ...(config.rules.fixturesGate ? { gate: (dir, appId, rules) => gateOf(dir)(appId, rules) } : {}),
  });
  for (const f of features) f.admin?.(admin);
  const ops = opsRoutes(
    {
      state: async () => {
        // A disabled app serves nothing (403 on every key), so it needs no rules to be ready.
        const active = config.apps.filter((a) => a.status === 'active');
        const notServing = active.filter((a) => !registry.current(a.id)).map((a) => a.id);
        // Not ready only when no active app serves: an app's broken first rules drained every
        // app's instances from the load balancer. The others stay ready and name it.
        if (active.length > 0 && notServing.length === active.length) {
          return { notReady: noRulesReason(notServing), notServing };
        }
        return { notReady: await store.health(), notServing };
      },
    },
    metrics,
    config.metricsToken === null ? undefined : metricsAuth(config.metricsToken, config.admin.token),
  );
  const reference = referenceRoutes(apiReference(OFFERD_VERSION), deps.baseUrl);
  const apis = [...features.flatMap((f) => f.apis), ops, reference, admin, consoleRoutes()];
  const app = createApp({ logger, metrics, apis });
  for (const f of features) await f.start?.();
  // What Node's parser refuses answers in the envelope of the API that would have had it.
  const familyOf = (path: string) =>
    apis.find((api) => api.claims(mergedLeadingSlashes(path)))?.family ?? 'neutral';
  const server = createHttpServer(app.callback(), logger, options.httpTimeouts, familyOf);
  let stopping: Promise<void> | undefined;
  const stop = (options: StopOptions = {}) => {
    stopping ??= (async () => {
      // Stop accepting, let in-flight requests finish, then make every acknowledged write durable.
      await closeHttpServer(server, options.drainMs);
      for (const f of features) await f.stop?.();
      await follower.close();
      await watcher.close();
      await deps.decisions?.flush();
      await decisionLog.close();
      await lastGood?.close();
      await store.flush();
      await store.close();
      logger.info({ signal: options.signal ?? null }, 'offerd stopped');
    })();
    return stopping;
  };
  try {
    server.listen(config.port, config.host);
    await once(server, 'listening');
  } catch (err) {
    // What started stops again: the schedule, the watcher, the store and its data dir's lock.
    await stop().catch(() => undefined);
    throw listenFailure(err, config);
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  listeningPort = port;
  logger.info({ port, store: config.store, apps: registry.appIds() }, 'offerd listening');
  return { server, port, registry, routes: apis.flatMap((a) => a.routes()), stop };
}

/** An API's shared admin action (a catalog sync), applied by the features that follow it. */
async function applyToFeatures(features: readonly Feature[], action: ApiAction): Promise<void> {
  for (const f of features) await f.follow?.(action);
}

/** `npm start` and `offerd serve`: config from the environment, stop on SIGTERM/SIGINT/SIGHUP. */
export async function main(): Promise<void> {
  let config: OfferdConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`offerd: invalid configuration\n${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  boundGarbage();
  let service: RunningService;
  try {
    service = await startService(config);
  } catch (err) {
    // What to do is in the message; a stack adds nothing.
    const failure = startFailure(err);
    if (!failure) throw err;
    process.stderr.write(failure.text);
    process.exit(failure.exitCode);
  }
  // `on`, not `once`: Ctrl-C reaches node twice (from the terminal and forwarded by npm),
  // and a second signal without a handler killed node before the store was flushed.
  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) return;
    stopping = true;
    service.stop({ drainMs: SHUTDOWN_DRAIN_MS, signal }).then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`offerd: shutdown after ${signal} failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  // A closed terminal: its default action reset requests and left the lock (operator probe).
  process.on('SIGHUP', () => onSignal('SIGHUP'));
}

// Started as a program (`node dist/main.js`), not imported by the CLI or tests.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    process.stderr.write(`offerd: failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
