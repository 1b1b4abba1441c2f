import type { Migration } from '../../store/postgres/migrate.js';
import { GRANT_MADE_MIGRATION, ID_LOCK_MIGRATION } from './banner-postgres-id-lock.js';
import { CLAIM_SLOT_MIGRATION, CLAIM_SLOT_WEIGHTS_MIGRATION } from './banner-postgres-slot.js';

/**
 * The banner API's tables. The invariants of BannerStore are constraints here: one
 * assignment per (app, experiment, bucket version, user) is the primary key, counters
 * are single-row upserts, a tracked batch is one transaction.
 */
export const BANNER_MIGRATIONS: readonly Migration[] = [
  {
    version: 101,
    name: 'banner: users, event stats, recent events, assignments, exposures',
    sql: `
      CREATE TABLE banner_users (
        app_id text NOT NULL,
        user_id text NOT NULL,
        first_seen_at timestamptz NOT NULL,
        last_seen_at timestamptz,
        renders integer NOT NULL DEFAULT 0,
        events integer NOT NULL DEFAULT 0,
        purchases integer NOT NULL DEFAULT 0,
        last_event_at timestamptz,
        last_purchase_at timestamptz,
        PRIMARY KEY (app_id, user_id)
      );
      CREATE TABLE banner_event_stats (
        app_id text NOT NULL,
        user_id text NOT NULL,
        name text NOT NULL,
        count integer NOT NULL,
        last_at timestamptz NOT NULL,
        PRIMARY KEY (app_id, user_id, name)
      );
      CREATE TABLE banner_events (
        id bigserial PRIMARY KEY,
        app_id text NOT NULL,
        user_id text NOT NULL,
        name text NOT NULL,
        time_ms bigint,
        received_at timestamptz NOT NULL,
        render_id text,
        experiment_id text,
        variation_id integer
      );
      CREATE INDEX banner_events_by_user ON banner_events (app_id, user_id, id);
      CREATE TABLE banner_assignments (
        app_id text NOT NULL,
        experiment_id text NOT NULL,
        bucket_version integer NOT NULL,
        user_id text NOT NULL,
        variation_id integer NOT NULL,
        assigned_at timestamptz NOT NULL,
        PRIMARY KEY (app_id, experiment_id, bucket_version, user_id)
      );
      CREATE INDEX banner_assignments_by_user ON banner_assignments (app_id, user_id);
      CREATE TABLE banner_exposures (
        app_id text NOT NULL,
        experiment_id text NOT NULL,
        bucket_version integer NOT NULL,
        variation_id integer NOT NULL,
        exposures bigint NOT NULL,
        PRIMARY KEY (app_id, experiment_id, bucket_version, variation_id)
      );
    `,
  },
  {
    version: 102,
    name: 'banner: SDK profiles, aliases, event insert ids, special-offer grants',
    sql: `
      CREATE TABLE banner_profiles (
        app_id text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('user', 'group')),
        id text NOT NULL,
        properties jsonb NOT NULL,
        PRIMARY KEY (app_id, kind, id)
      );
      CREATE TABLE banner_aliases (
        app_id text NOT NULL,
        alias text NOT NULL,
        distinct_id text NOT NULL,
        PRIMARY KEY (app_id, alias)
      );
      CREATE TABLE banner_insert_ids (
        app_id text NOT NULL,
        insert_id text NOT NULL,
        seen_at timestamptz NOT NULL,
        PRIMARY KEY (app_id, insert_id)
      );
      CREATE TABLE banner_offer_grants (
        app_id text NOT NULL,
        user_id text NOT NULL,
        offer_id text NOT NULL,
        count integer NOT NULL,
        last_at timestamptz NOT NULL,
        PRIMARY KEY (app_id, user_id, offer_id)
      );
    `,
  },
  CLAIM_SLOT_MIGRATION,
  {
    version: 104,
    name: 'banner: insert ids by age, for the pruner that bounds them',
    sql: 'CREATE INDEX banner_insert_ids_seen_at ON banner_insert_ids (seen_at);',
  },
  {
    version: 105,
    name: 'banner: event values, per-assignment value sums for revenue',
    sql: `
      ALTER TABLE banner_events ADD COLUMN value double precision;
      CREATE TABLE banner_assignment_values (
        app_id text NOT NULL,
        experiment_id text NOT NULL,
        bucket_version integer NOT NULL,
        user_id text NOT NULL,
        name text NOT NULL,
        value_sum double precision NOT NULL,
        PRIMARY KEY (app_id, experiment_id, bucket_version, user_id, name)
      );
    `,
  },
  {
    version: 106,
    name: 'banner: an insert id claim is pending until its events are stored',
    sql: 'ALTER TABLE banner_insert_ids ADD COLUMN stored boolean NOT NULL DEFAULT true;',
  },
  {
    version: 107,
    name: 'banner: a special-offer grant remembers its predict_id, so a retry of that call replays it',
    sql: 'ALTER TABLE banner_offer_grants ADD COLUMN predict_id text;',
  },
  CLAIM_SLOT_WEIGHTS_MIGRATION,
  {
    version: 109,
    name: 'banner: experiment version ends; conversions credited per assignment (its window)',
    // Before, a converter was read from the user's event stats (a name last tracked at or
    // after the assignment): the assignments get those names once, so results read as before.
    sql: `
      CREATE TABLE banner_experiment_ends (
        app_id text NOT NULL,
        experiment_id text NOT NULL,
        bucket_version integer NOT NULL,
        ended_at timestamptz NOT NULL,
        PRIMARY KEY (app_id, experiment_id, bucket_version)
      );
      INSERT INTO banner_assignment_values (app_id, experiment_id, bucket_version, user_id, name, value_sum)
      SELECT a.app_id, a.experiment_id, a.bucket_version, a.user_id, s.name, 0
      FROM banner_assignments a JOIN banner_event_stats s
        ON s.app_id = a.app_id AND s.user_id = a.user_id AND s.last_at >= a.assigned_at
      ON CONFLICT DO NOTHING;
    `,
  },
  {
    version: 110,
    name: 'banner: aliases by the user they link to, so a link never makes that user an alias itself',
    sql: 'CREATE INDEX banner_aliases_distinct_id ON banner_aliases (app_id, distinct_id);',
  },
  ID_LOCK_MIGRATION,
  {
    version: 112,
    name: "banner: when a profile was made, so a sign-in's link may take over only a device's new one",
    // Null for the profiles of before: read as made long ago (ADOPT_TAKEN), never taken over.
    sql: 'ALTER TABLE banner_profiles ADD COLUMN created_at timestamptz;',
  },
  GRANT_MADE_MIGRATION,
];
