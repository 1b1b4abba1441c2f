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

/**
 * One ban per (app, type, value, wall): adding a ban that exists returns it (the store's
 * ON CONFLICT), so that lifting "the ban" lifts it. Before, each add stored a copy (30
 * concurrent adds: 30 rows) and deleting one left the user banned. Copies already stored
 * are one ban in effect: the oldest is kept. A null wall (every wall) is -1 in the index,
 * since NULLs are never equal there; wall ids start at 1.
 */
export const OFFERWALL_BANS_UNIQUE_MIGRATION: Migration = {
  version: 2,
  name: 'offerwall: one ban per (app, type, value, wall)',
  sql: `
    DELETE FROM offerwall_bans later USING offerwall_bans earlier
      WHERE later.app_id = earlier.app_id AND later.type = earlier.type AND later.value = earlier.value
        AND COALESCE(later.wall_id, -1) = COALESCE(earlier.wall_id, -1) AND later.seq > earlier.seq;
    CREATE UNIQUE INDEX offerwall_bans_one_per_value
      ON offerwall_bans (app_id, type, value, (COALESCE(wall_id, -1)));
    DROP INDEX offerwall_bans_by_value;
  `,
};

/**
 * The offers feed syncs took out of a wall's catalog, kept for postbacks until their
 * attribution window ends (domain/retired-offers.ts). Nullable: an instance of the previous
 * release leaves it as it was when it saves a catalog, and null reads as none.
 */
export const OFFERWALL_RETIRED_OFFERS_MIGRATION: Migration = {
  version: 3,
  name: 'offerwall: retired offers kept for postbacks',
  sql: 'ALTER TABLE offerwall_catalogs ADD COLUMN retired jsonb;',
};
