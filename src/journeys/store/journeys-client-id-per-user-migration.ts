import type { Migration } from '../../store/postgres/migrate.js';

/**
 * A client event id is unique per user, not per partition: clients number their events
 * per player (evt-1, evt-2…), so the partition-wide index answered one player's event as a
 * "duplicate" of another's, handing that player the other's event, and let a player drop
 * another's later events by sending their ids first. Existing rows satisfy the new index:
 * the old one was stricter.
 */
export const JOURNEYS_CLIENT_ID_PER_USER_MIGRATION: Migration = {
  version: 203,
  name: 'journeys: one event per (user, client event id), not per partition',
  sql: `
    CREATE UNIQUE INDEX journeys_events_user_client_id
      ON journeys_events (app_id, environment, external_id, client_event_id)
      WHERE client_event_id IS NOT NULL;
    DROP INDEX journeys_events_client_id;
  `,
};
