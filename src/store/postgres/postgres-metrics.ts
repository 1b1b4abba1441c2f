import { Counter, Gauge, type Registry } from 'prom-client';
import type { PostgresStore } from './postgres-store.js';

/**
 * The PostgreSQL store's figures on /metrics, read from the store when scraped: what it
 * sent (round trips, statements; divided by requests, the bench's per-request figures)
 * and its pool (open, idle, waiting for a connection).
 */
export function registerPostgresMetrics(registry: Registry, store: PostgresStore): void {
  new Counter({
    name: 'offerd_postgres_round_trips_total',
    help: 'Queries sent to PostgreSQL, one network round trip each (transaction control included)',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(store.counts.roundTrips);
    },
  });
  new Counter({
    name: 'offerd_postgres_statements_total',
    help: 'SQL statements sent to PostgreSQL (round trips other than BEGIN, COMMIT, ROLLBACK)',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(store.counts.statements);
    },
  });
  new Gauge({
    name: 'offerd_postgres_pool_connections',
    help: 'Connections of the pool by state: total (open), idle, waiting (requests queued for one)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      this.set({ state: 'total' }, store.pool.totalCount);
      this.set({ state: 'idle' }, store.pool.idleCount);
      this.set({ state: 'waiting' }, store.pool.waitingCount);
    },
  });
}
