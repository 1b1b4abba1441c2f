import type pg from 'pg';
import { BannerPostgresPortable } from '../../banner/store/banner-postgres-portable.js';
import { RenderTally } from '../../banner/store/banner-postgres-renders.js';
import { BannerPostgresStore } from '../../banner/store/banner-postgres-store.js';
import type { BannerStore } from '../../banner/store/banner-store.js';
import { JourneysPostgresPortable } from '../../journeys/store/journeys-postgres-portable.js';
import { JourneysPostgresStore } from '../../journeys/store/journeys-postgres-store.js';
import { OfferwallPostgresPortable } from '../../offerwall/store/offerwall-postgres-portable.js';
import { OfferwallPostgresStore } from '../../offerwall/store/offerwall-postgres-store.js';
import type { PortableStore } from '../portable.js';
import type { Store } from '../store.js';
import { AdminActionLog } from './admin-actions.js';
import { countedPool, type PoolSettings, type QueryCounts } from './counted-pool.js';
import { type MigrationResult, migrate } from './migrate.js';
import { MIGRATIONS } from './migrations.js';

const idleMessage = (err: Error): string => `an idle PostgreSQL connection failed: ${err.message}`;

/** How often each instance writes its banner render counters. */
const RENDER_FLUSH_MS = 1000;

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

const pick = (o: PostgresOptions) => (o.max === undefined ? {} : { max: o.max });

/**
 * The PostgreSQL adapter of the store port, for several instances sharing one
 * database. Every write commits before it resolves, except the banner render counters
 * (RenderTally: summed per instance, one statement a second).
 */
export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly banner: BannerStore;
  readonly offerwall: OfferwallPostgresStore;
  readonly journeys: JourneysPostgresStore;
  readonly portable: Readonly<Record<'banner' | 'offerwall' | 'journeys', PortableStore>>;

  private readonly renders: RenderTally;
  /** Admin actions every instance applies (rollback, reload): see AdminActionFollower. */
  readonly adminActions: AdminActionLog;

  private constructor(
    readonly pool: pg.Pool,
    /** Round trips and statements sent since the store opened (/metrics, tests). */
    readonly counts: QueryCounts,
    readonly migrations: MigrationResult,
    onError: (err: Error) => void,
  ) {
    this.renders = new RenderTally(pool, RENDER_FLUSH_MS, (err) =>
      onError(new Error(`writing the banner render counters failed (kept, retried): ${err.message}`)),
    );
    this.banner = new BannerPostgresStore(pool, this.renders);
    this.adminActions = new AdminActionLog(pool);
    this.offerwall = new OfferwallPostgresStore(pool);
    this.journeys = new JourneysPostgresStore(pool);
    this.portable = {
      banner: new BannerPostgresPortable(pool),
      offerwall: new OfferwallPostgresPortable(pool),
      journeys: new JourneysPostgresPortable(pool),
    };
  }

  /**
   * Connects, applies pending migrations (idempotent, safe from several instances at
   * once). `onIdleError` hears a pooled connection that broke while idle (a database
   * restart, a failover): the pool drops it and the next query connects afresh.
   */
  static async open(url: string, options: PostgresOptions = {}): Promise<PostgresStore> {
    const { pool, counts } = countedPool({ ...POOL_DEFAULTS, ...options.pool, url, ...pick(options) });
    const report = (err: Error) => process.stderr.write(`offerd: ${err.message}\n`);
    // Without a listener, node-postgres re-emits the idle client's error on the pool and
    // an unhandled 'error' event ends the process.
    pool.on('error', options.onIdleError ?? ((err) => report(new Error(idleMessage(err)))));
    try {
      return new PostgresStore(pool, counts, await migrate(pool, MIGRATIONS), options.onError ?? report);
    } catch (err) {
      await pool.end();
      throw err;
    }
  }

  /** Writes the pending render counters; every other write committed before it resolved. */
  async flush(): Promise<void> {
    await this.renders.flush();
  }

  async close(): Promise<void> {
    try {
      await this.renders.close();
    } finally {
      await this.pool.end();
    }
  }
}
