import type { Migration } from '../../store/postgres/migrate.js';

/**
 * A counter per user that every batch of their events moves (appendEventBatch), so that an
 * instance holding a heavy user's event totals (JourneysPostgresStore.eventTotals) knows
 * they are still those of the stored events, whichever instance appended since. Adding a
 * column with a constant default rewrites no row.
 */
export const JOURNEYS_EVENTS_VERSION_MIGRATION: Migration = {
  version: 204,
  name: 'journeys: a version of each user’s events',
  sql: `ALTER TABLE journeys_users ADD COLUMN events_version bigint NOT NULL DEFAULT 0;`,
};
