import pg from 'pg';
import { BannerPostgresPortable } from '../../banner/store/banner-postgres-portable.js';
import { BannerPostgresStore } from '../../banner/store/banner-postgres-store.js';
import type { BannerStore } from '../../banner/store/banner-store.js';
import { ProfilePostgresStore } from '../../banner/store/profile-postgres-store.js';
import type { ProfileStore } from '../../banner/store/profile-store.js';
import { JourneysPostgresPortable } from '../../journeys/store/journeys-postgres-portable.js';
import { JourneysPostgresStore } from '../../journeys/store/journeys-postgres-store.js';
import { OfferwallPostgresPortable } from '../../offerwall/store/offerwall-postgres-portable.js';
import { OfferwallPostgresStore } from '../../offerwall/store/offerwall-postgres-store.js';
import type { PortableStore } from '../portable.js';
import type { Store } from '../store.js';
import { type MigrationResult, migrate } from './migrate.js';
import { MIGRATIONS } from './migrations.js';

const idleMessage = (err: Error): string => `an idle PostgreSQL connection failed: ${err.message}`;

/**
 * The PostgreSQL adapter of the store port, for several instances sharing one
 * database. Every write commits before it resolves, so flush has nothing to wait for.
 */
export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly banner: BannerStore;
  readonly profiles: ProfileStore;
  readonly offerwall: OfferwallPostgresStore;
  readonly journeys: JourneysPostgresStore;
  readonly portable: Readonly<Record<'banner' | 'offerwall' | 'journeys', PortableStore>>;

  private constructor(
    readonly pool: pg.Pool,
    readonly migrations: MigrationResult,
  ) {
    this.banner = new BannerPostgresStore(pool);
    this.profiles = new ProfilePostgresStore(pool);
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
  static async open(
    url: string,
    options: { max?: number; onIdleError?: (err: Error) => void } = {},
  ): Promise<PostgresStore> {
    const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10 });
    // Without a listener, node-postgres re-emits the idle client's error on the pool and
    // an unhandled 'error' event ends the process.
    pool.on('error', options.onIdleError ?? ((err) => process.stderr.write(`offerd: ${idleMessage(err)}\n`)));
    try {
      return new PostgresStore(pool, await migrate(pool, MIGRATIONS));
    } catch (err) {
      await pool.end();
      throw err;
    }
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    await this.pool.end();
  }
}
