import pg from 'pg';
import type { AnyApiStoreAdapters } from '../api-store-adapters.js';
import type { PortableStore } from '../portable.js';
import type { Store } from '../store.js';
import { type MigrationResult, migrate } from './migrate.js';

const idleMessage = (err: Error): string => `an idle PostgreSQL connection failed: ${err.message}`;

/**
 * The PostgreSQL adapter of the store port, for several instances sharing one
 * database. Every write commits before it resolves, so flush has nothing to wait for.
 */
export type PostgresStore = Store & {
  readonly kind: 'postgres';
  readonly pool: pg.Pool;
  readonly migrations: MigrationResult;
};

/** Every API's schema steps, in version order (versions are unique across APIs). */
export function migrationsOf(apis: readonly AnyApiStoreAdapters[]) {
  return apis.flatMap((api) => api.migrations).sort((a, b) => a.version - b.version);
}

function assemble(
  pool: pg.Pool,
  migrations: MigrationResult,
  apis: readonly AnyApiStoreAdapters[],
): PostgresStore {
  const subStores: Record<string, unknown> = {};
  const portable: Record<string, PortableStore> = {};
  for (const api of apis) {
    const part = api.openPostgres(pool);
    subStores[api.name] = part.store;
    portable[api.name] = part.portable;
  }
  // Each name holds the sub-store its own adapter built (ApiStoreAdapters ties them).
  return {
    ...subStores,
    kind: 'postgres',
    pool,
    migrations,
    portable,
    flush: async () => undefined,
    close: () => pool.end(),
  } as unknown as PostgresStore;
}

/**
 * The PostgreSQL adapter of the store port, for several instances sharing one
 * database. Every write commits before it resolves, so flush has nothing to wait for.
 */
export const PostgresStore = {
  /**
   * Connects, applies pending migrations (idempotent, safe from several instances at
   * once). `onIdleError` hears a pooled connection that broke while idle (a database
   * restart, a failover): the pool drops it and the next query connects afresh.
   */
  async open(
    url: string,
    apis: readonly AnyApiStoreAdapters[],
    options: { max?: number; onIdleError?: (err: Error) => void } = {},
  ): Promise<PostgresStore> {
    const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10 });
    // Without a listener, node-postgres re-emits the idle client's error on the pool and
    // an unhandled 'error' event ends the process.
    pool.on('error', options.onIdleError ?? ((err) => process.stderr.write(`offerd: ${idleMessage(err)}\n`)));
    try {
      return assemble(pool, await migrate(pool, migrationsOf(apis)), apis);
    } catch (err) {
      await pool.end();
      throw err;
    }
  },
};
