import type { Migration } from '../../store/postgres/migrate.js';

/**
 * The offerwall's tables. The store port's invariants are keys here: one progress row
 * per (app, user, offer), one transaction per (app, transaction id), ban ids per app.
 */
export const OFFERWALL_MIGRATION: Migration = {
  version: 1,
  name: 'offerwall',
  sql: `
    CREATE TABLE offerwall_catalogs (
      app_id text NOT NULL,
      wall_id integer NOT NULL,
      synced_at timestamptz NOT NULL,
      offers jsonb NOT NULL,
      PRIMARY KEY (app_id, wall_id)
    );
    CREATE TABLE offerwall_progress (
      app_id text NOT NULL,
      uid text NOT NULL,
      offer_id bigint NOT NULL,
      wall_id integer NOT NULL,
      category text NOT NULL,
      offer_type integer NOT NULL,
      status text NOT NULL CHECK (status IN ('in_progress', 'completed')),
      sid3 text,
      clicks integer NOT NULL,
      first_click_at timestamptz,
      last_click_at timestamptz,
      completed_events jsonb NOT NULL,
      completed_at timestamptz,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (app_id, uid, offer_id)
    );
    CREATE TABLE offerwall_transactions (
      app_id text NOT NULL,
      transaction_id text NOT NULL,
      uid text NOT NULL,
      offer_id bigint NOT NULL,
      event_id text NOT NULL,
      at timestamptz NOT NULL,
      PRIMARY KEY (app_id, transaction_id)
    );
    CREATE TABLE offerwall_bans (
      seq bigserial,
      app_id text NOT NULL,
      id text NOT NULL,
      type text NOT NULL CHECK (type IN ('user', 'ip')),
      value text NOT NULL,
      wall_id integer,
      reason text NOT NULL,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (app_id, id)
    );
    CREATE INDEX offerwall_bans_by_value ON offerwall_bans (app_id, type, value);
  `,
};
