import type { Migration } from '../../store/postgres/migrate.js';

/**
 * The user-journeys tables, every key led by (app_id, environment) so live and test
 * data never meet. The port's invariants are constraints here: one user per external
 * id, one event per client event id (partial unique index; per user since 203, see
 * journeys-client-id-per-user-migration.ts), offer status values.
 * The offer limits need a count, so createOffers checks them under a lock on the
 * user's row (see JourneysPostgresStore).
 */
export const JOURNEYS_MIGRATION: Migration = {
  // Each API numbers its own range: offerwall 1…, banner 101…, journeys 201….
  version: 201,
  name: 'journeys: users, events, offers',
  sql: `
    CREATE TABLE journeys_users (
      app_id text NOT NULL,
      environment text NOT NULL CHECK (environment IN ('live', 'test')),
      external_id text NOT NULL,
      id text NOT NULL,
      display_name text,
      email text,
      phone text,
      country text,
      device text,
      source text,
      tags jsonb NOT NULL,
      metadata jsonb NOT NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (app_id, environment, external_id)
    );
    CREATE TABLE journeys_events (
      seq bigserial,
      app_id text NOT NULL,
      environment text NOT NULL,
      id text NOT NULL,
      external_id text NOT NULL,
      client_event_id text,
      category text NOT NULL,
      event_type text NOT NULL,
      points integer NOT NULL,
      occurred_at timestamptz NOT NULL,
      received_at timestamptz NOT NULL,
      metadata jsonb NOT NULL,
      PRIMARY KEY (app_id, environment, id),
      FOREIGN KEY (app_id, environment, external_id) REFERENCES journeys_users
    );
    CREATE UNIQUE INDEX journeys_events_client_id ON journeys_events (app_id, environment, client_event_id)
      WHERE client_event_id IS NOT NULL;
    CREATE INDEX journeys_events_by_user ON journeys_events (app_id, environment, external_id, occurred_at, seq);
    CREATE TABLE journeys_offers (
      seq bigserial,
      app_id text NOT NULL,
      environment text NOT NULL,
      id text NOT NULL,
      external_id text NOT NULL,
      offer_type text NOT NULL,
      game_type text,
      title text NOT NULL,
      description text NOT NULL,
      points_value integer NOT NULL,
      status text NOT NULL CHECK (status IN ('active', 'claimed', 'expired')),
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      claimed_at timestamptz,
      metadata jsonb NOT NULL,
      PRIMARY KEY (app_id, environment, id),
      FOREIGN KEY (app_id, environment, external_id) REFERENCES journeys_users
    );
    CREATE INDEX journeys_offers_by_user ON journeys_offers (app_id, environment, external_id, created_at);
    CREATE INDEX journeys_offers_active ON journeys_offers (app_id, environment, expires_at) WHERE status = 'active';
  `,
};
