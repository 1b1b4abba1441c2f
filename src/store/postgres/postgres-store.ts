import pg from 'pg';
import type { BannerStore } from '../banner-store.js';
import type { Store } from '../store.js';
import { BannerPostgresStore } from './banner-postgres-store.js';
import { JourneysPostgresStore } from './journeys-postgres-store.js';
import { type MigrationResult, migrate } from './migrate.js';
import { MIGRATIONS } from './migrations.js';
import { OfferwallPostgresStore } from './offerwall-postgres-store.js';

/**
 * The PostgreSQL adapter of the store port, for several instances sharing one
 * database. Every write commits before it resolves, so flush has nothing to wait for.
 */
export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly banner: BannerStore;
  readonly offerwall: OfferwallPostgresStore;
  readonly journeys: JourneysPostgresStore;

  private constructor(
    readonly pool: pg.Pool,
    readonly migrations: MigrationResult,
  ) {
    this.banner = new BannerPostgresStore(pool);
    this.offerwall = new OfferwallPostgresStore(pool);
    this.journeys = new JourneysPostgresStore(pool);
  }

  /** Connects, applies pending migrations (idempotent, safe from several instances at once). */
  static async open(url: string, options: { max?: number } = {}): Promise<PostgresStore> {
    const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10 });
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
