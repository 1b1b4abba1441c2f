import type pg from 'pg';
import type { AnyApiStoreAdapters, Background } from '../api-store-adapters.js';
import { DECISIONS_MIGRATION } from '../decisions/decision-log-postgres.js';
import type { PortableStore } from '../portable.js';
import type { Store } from '../store.js';
import {
  ADMIN_ACTION_CATALOG_MIGRATION,
  ADMIN_ACTION_FILES_MIGRATION,
  ADMIN_ACTIONS_MIGRATION,
  AdminActionLog,
} from './admin-actions.js';
import { countedPool, type PoolSettings, type QueryCounts } from './counted-pool.js';
import { DatabaseHealth } from './database-health.js';
import {
  connectFailure,
  DatabaseUnusableError,
  maskedUrl,
  unavailableNow,
  urlProblem,
} from './database-unusable.js';
import { KEPT_RULES_MIGRATION, LAST_GOOD_RULES_MIGRATION, PostgresLastGoodRules } from './last-good-rules.js';
import { type Migration, type MigrationResult, migrate } from './migrate.js';

const idleMessage = (err: Error): string => `an idle PostgreSQL connection failed: ${err.message}`;

/**
 * node-postgres's own defaults: no timeouts, for the CLI and tests. The served instance
 * passes its config (OFFERD_PG_*, 5 s and 2 s unless set; docs/postgresql.md).
 */
export const POOL_DEFAULTS = { max: 10, statementTimeoutMs: 0, connectionTimeoutMs: 0 } as const;

export interface PostgresOptions {
  /** Shorthand for pool.max (tests). */
  max?: number;
  pool?: Partial<Omit<PoolSettings, 'url'>>;
  onIdleError?: (err: Error) => void;
  /** Background work that failed (a render counter flush); it is retried. */
  onError?: (err: Error) => void;
}

/**
 * The PostgreSQL adapter of the store port, for several instances sharing one
 * database. Every write commits before it resolves, except what an API writes behind
 * (its `background` parts, e.g. the banner render counters: one statement a second);
 * flush and close wait for those.
 */
export type PostgresStore = Store & {
  readonly kind: 'postgres';
  readonly pool: pg.Pool;
  /** Round trips and statements sent since the store opened (/metrics, tests). */
  readonly counts: QueryCounts;
  readonly migrations: MigrationResult;
  /** Admin actions every instance applies (rollback, reload, catalog sync): see AdminActionFollower. */
  readonly adminActions: AdminActionLog;
};

export const isPostgresStore = (store: Store): store is PostgresStore => store.kind === 'postgres';

/** Every API's schema steps and the platform's own, in version order (versions are unique). */
export function migrationsOf(apis: readonly AnyApiStoreAdapters[]): Migration[] {
  return [
    ADMIN_ACTIONS_MIGRATION,
    ADMIN_ACTION_FILES_MIGRATION,
    ADMIN_ACTION_CATALOG_MIGRATION,
    LAST_GOOD_RULES_MIGRATION,
    KEPT_RULES_MIGRATION,
    DECISIONS_MIGRATION,
    ...apis.flatMap((api) => api.migrations),
  ].sort((a, b) => a.version - b.version);
}

function assemble(
  pool: pg.Pool,
  counts: QueryCounts,
  migrations: MigrationResult,
  apis: readonly AnyApiStoreAdapters[],
  onError: (err: Error) => void,
): PostgresStore {
  const subStores: Record<string, unknown> = {};
  const portable: Record<string, PortableStore> = {};
  const background: Background[] = [];
  for (const api of apis) {
    const part = api.openPostgres(pool, { onError });
    subStores[api.name] = part.store;
    portable[api.name] = part.portable;
    background.push(...(part.background ?? []));
  }
  const close = async () => {
    try {
      for (const b of background) await b.close();
    } finally {
      await pool.end();
    }
  };
  const health = new DatabaseHealth(pool);
  // Each name holds the sub-store its own adapter built (ApiStoreAdapters ties them).
  return {
    ...subStores,
    kind: 'postgres',
    pool,
    counts,
    migrations,
    adminActions: new AdminActionLog(pool),
    lastGoodRules: new PostgresLastGoodRules(pool),
    portable,
    health: () => health.check(),
    flush: async () => {
      for (const b of background) await b.flush();
    },
    close,
  } as unknown as PostgresStore;
}

export const PostgresStore = {
  /**
   * Connects, applies pending migrations (idempotent, safe from several instances at
   * once). `onIdleError` hears a pooled connection that broke while idle (a database
   * restart, a failover): the pool drops it and the next query connects afresh.
   */
  async open(
    url: string,
    apis: readonly AnyApiStoreAdapters[],
    options: PostgresOptions = {},
  ): Promise<PostgresStore> {
    const problem = urlProblem(url);
    if (problem) throw new DatabaseUnusableError(maskedUrl(url), problem);
    const max = options.max === undefined ? {} : { max: options.max };
    const settings = { ...POOL_DEFAULTS, ...options.pool, url, ...max };
    const { pool, counts } = countedPool(settings);
    const report = (err: Error) => process.stderr.write(`offerd: ${err.message}\n`);
    // Without a listener, node-postgres re-emits the idle client's error on the pool and
    // an unhandled 'error' event ends the process.
    pool.on('error', options.onIdleError ?? ((err) => report(new Error(idleMessage(err)))));
    try {
      // Connecting first: what fails here is the URL or the server it names, said as such.
      try {
        (await pool.connect()).release();
      } catch (err) {
        throw new DatabaseUnusableError(maskedUrl(url), connectFailure(err, settings.connectionTimeoutMs), {
          cause: err,
          unavailable: unavailableNow(err),
        });
      }
      return assemble(pool, counts, await migrate(pool, migrationsOf(apis)), apis, options.onError ?? report);
    } catch (err) {
      await pool.end();
      throw err;
    }
  },
};
