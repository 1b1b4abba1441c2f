import type { Migration } from '../../store/postgres/migrate.js';

/**
 * The slot claim as one server-side function, so an assignment costs one round trip
 * (issue 21: a render takes at most two, the visitor read and this).
 *
 * A unique constraint cannot express the slot: an experiment without an occasion
 * competes with every occasion, so "same slot" is not an equivalence on a column. The
 * user's first assignments are therefore serialized by an advisory lock, and the check
 * must run after the lock is granted. A single SQL statement (a CTE) cannot do that:
 * under READ COMMITTED its snapshot is taken before the lock is granted, so it would miss
 * the rival a concurrent request committed while this one waited. In a VOLATILE PL/pgSQL
 * function each statement takes a fresh snapshot, so the check sees it; the lock is
 * transaction-scoped and the function runs in the call's own implicit transaction.
 *
 * Without rivals no lock is taken: the primary key alone keeps one assignment.
 * Returns the stored row (the proposal's own key first, then the rivals) and whether
 * this call created it.
 */
export const CLAIM_SLOT_MIGRATION: Migration = {
  version: 103,
  name: 'banner: slot claim in one statement (banner_claim_slot)',
  sql: `
    CREATE FUNCTION banner_claim_slot(
      p_app text, p_experiment text, p_bucket integer, p_user text, p_variation integer,
      p_at timestamptz, p_rival_experiments text[], p_rival_buckets integer[]
    ) RETURNS TABLE (experiment_id text, bucket_version integer, user_id text,
                     variation_id integer, assigned_at timestamptz, created boolean)
    LANGUAGE plpgsql VOLATILE AS $fn$
    #variable_conflict use_column
    BEGIN
      IF cardinality(p_rival_experiments) > 0 THEN
        PERFORM pg_advisory_xact_lock(hashtextextended(p_app || E'\\n' || p_user, 0));
        RETURN QUERY
          SELECT a.experiment_id, a.bucket_version, a.user_id, a.variation_id, a.assigned_at, false
          FROM banner_assignments a
          JOIN unnest(array_prepend(p_experiment, p_rival_experiments), array_prepend(p_bucket, p_rival_buckets))
            WITH ORDINALITY AS k(experiment_id, bucket_version, rank)
            ON a.experiment_id = k.experiment_id AND a.bucket_version = k.bucket_version
          WHERE a.app_id = p_app AND a.user_id = p_user
          ORDER BY k.rank LIMIT 1;
        IF FOUND THEN RETURN; END IF;
      END IF;
      RETURN QUERY
        INSERT INTO banner_assignments AS a
          (app_id, experiment_id, bucket_version, user_id, variation_id, assigned_at)
        VALUES (p_app, p_experiment, p_bucket, p_user, p_variation, p_at)
        ON CONFLICT DO NOTHING
        RETURNING a.experiment_id, a.bucket_version, a.user_id, a.variation_id, a.assigned_at, true;
      IF FOUND THEN RETURN; END IF;
      -- Another call inserted this key meanwhile (one without rivals takes no lock);
      -- this statement's fresh snapshot sees its committed row, which wins as usual.
      RETURN QUERY
        SELECT a.experiment_id, a.bucket_version, a.user_id, a.variation_id, a.assigned_at, false
        FROM banner_assignments a
        WHERE a.app_id = p_app AND a.experiment_id = p_experiment
          AND a.bucket_version = p_bucket AND a.user_id = p_user;
    END
    $fn$`,
};

/**
 * The split each assignment was made under (Assignment.weights), stored with it: the claim
 * takes it as a ninth argument. A new overload, not a replacement, so an instance still
 * running the previous release keeps calling the 8-argument function during a rolling
 * upgrade (its assignments then have no split, read as the current one).
 */
export const CLAIM_SLOT_WEIGHTS_MIGRATION: Migration = {
  version: 108,
  name: 'banner: the split each assignment was made under (weights), for the sample-ratio check',
  sql: `
    ALTER TABLE banner_assignments ADD COLUMN weights text;
    CREATE FUNCTION banner_claim_slot(
      p_app text, p_experiment text, p_bucket integer, p_user text, p_variation integer,
      p_at timestamptz, p_rival_experiments text[], p_rival_buckets integer[], p_weights text
    ) RETURNS TABLE (experiment_id text, bucket_version integer, user_id text,
                     variation_id integer, assigned_at timestamptz, created boolean)
    LANGUAGE plpgsql VOLATILE AS $fn$
    #variable_conflict use_column
    BEGIN
      IF cardinality(p_rival_experiments) > 0 THEN
        PERFORM pg_advisory_xact_lock(hashtextextended(p_app || E'\\n' || p_user, 0));
        RETURN QUERY
          SELECT a.experiment_id, a.bucket_version, a.user_id, a.variation_id, a.assigned_at, false
          FROM banner_assignments a
          JOIN unnest(array_prepend(p_experiment, p_rival_experiments), array_prepend(p_bucket, p_rival_buckets))
            WITH ORDINALITY AS k(experiment_id, bucket_version, rank)
            ON a.experiment_id = k.experiment_id AND a.bucket_version = k.bucket_version
          WHERE a.app_id = p_app AND a.user_id = p_user
          ORDER BY k.rank LIMIT 1;
        IF FOUND THEN RETURN; END IF;
      END IF;
      RETURN QUERY
        INSERT INTO banner_assignments AS a
          (app_id, experiment_id, bucket_version, user_id, variation_id, assigned_at, weights)
        VALUES (p_app, p_experiment, p_bucket, p_user, p_variation, p_at, p_weights)
        ON CONFLICT DO NOTHING
        RETURNING a.experiment_id, a.bucket_version, a.user_id, a.variation_id, a.assigned_at, true;
      IF FOUND THEN RETURN; END IF;
      -- Another call inserted this key meanwhile (one without rivals takes no lock);
      -- this statement's fresh snapshot sees its committed row, which wins as usual.
      RETURN QUERY
        SELECT a.experiment_id, a.bucket_version, a.user_id, a.variation_id, a.assigned_at, false
        FROM banner_assignments a
        WHERE a.app_id = p_app AND a.experiment_id = p_experiment
          AND a.bucket_version = p_bucket AND a.user_id = p_user;
    END
    $fn$`,
};

/**
 * One round trip: the user's assignment in the proposal's slot, claimed if there was none,
 * for the user the proposal's id stands for under its id lock (banner-postgres-id-lock.ts).
 */
export const CLAIM_SLOT = 'SELECT * FROM banner_claim_slot_resolved($1, $2, $3, $4, $5, $6, $7, $8, $9)';
