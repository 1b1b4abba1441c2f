import type { Migration } from '../../store/postgres/migrate.js';

/**
 * A player's writes under their id and a link making that id an alias ($create_alias,
 * _kb_identify) take turns on one advisory lock per (app, id): a write holds it shared and
 * resolves the id only once it holds it, in the transaction of the write; a link holds it
 * exclusively while it checks that the alias has no data of its own (ProfilePostgresStore
 * TAKEN) and links it. So a write racing a link lands under the user the alias links to
 * (the link came first), or is there for the link's check to see, which then refuses it (the
 * write came first). Without it an event, assignment or grant resolved before the link
 * committed was stored under the alias after it: lost to the player (hostile-client probe
 * h41: purchases 6 of 10 races, a second variation 7 of 20, a maxPerUser: 1 offer twice 15 of 20).
 *
 * The id is resolved in a statement after the lock is granted: under READ COMMITTED a
 * statement's snapshot is taken before it waits, so one statement would miss the link it
 * waited for. A VOLATILE PL/pgSQL function takes a fresh snapshot per statement, so the
 * lock and the resolve cost one round trip. Ids are locked in sorted order, so two batches
 * never wait for each other's ids in opposite orders; shared locks only wait for a link,
 * which holds nothing a write waits on.
 *
 * New functions, not replacements: an instance of the previous release keeps writing as
 * before during a rolling upgrade (without the lock, as it did).
 */
export const ID_LOCK_MIGRATION: Migration = {
  version: 111,
  name: "banner: a user id's events, assignments and grants resolve it under a per-id lock its link takes",
  sql: `
    CREATE FUNCTION banner_id_lock_key(p_app text, p_id text) RETURNS bigint
    LANGUAGE sql IMMUTABLE AS $fn$ SELECT hashtextextended('banner-id:' || p_app || E'\\n' || p_id, 0) $fn$;

    CREATE FUNCTION banner_resolve_locked(p_app text, p_ids text[])
    RETURNS TABLE (sent text, user_id text)
    LANGUAGE plpgsql VOLATILE AS $fn$
    #variable_conflict use_column
    DECLARE v_id text;
    BEGIN
      FOR v_id IN SELECT DISTINCT i FROM unnest(p_ids) AS i ORDER BY i LOOP
        PERFORM pg_advisory_xact_lock_shared(banner_id_lock_key(p_app, v_id));
      END LOOP;
      RETURN QUERY
        SELECT i.id, coalesce(a.distinct_id, i.id)
        FROM (SELECT DISTINCT id FROM unnest(p_ids) AS id) i
        LEFT JOIN banner_aliases a ON a.app_id = p_app AND a.alias = i.id;
    END
    $fn$;

    CREATE FUNCTION banner_claim_slot_resolved(
      p_app text, p_experiment text, p_bucket integer, p_user text, p_variation integer,
      p_at timestamptz, p_rival_experiments text[], p_rival_buckets integer[], p_weights text
    ) RETURNS TABLE (experiment_id text, bucket_version integer, user_id text,
                     variation_id integer, assigned_at timestamptz, created boolean)
    LANGUAGE plpgsql VOLATILE AS $fn$
    #variable_conflict use_column
    DECLARE v_user text;
    BEGIN
      SELECT r.user_id INTO v_user FROM banner_resolve_locked(p_app, ARRAY[p_user]) r;
      RETURN QUERY SELECT * FROM banner_claim_slot(p_app, p_experiment, p_bucket, v_user, p_variation,
        p_at, p_rival_experiments, p_rival_buckets, p_weights);
    END
    $fn$;

    CREATE FUNCTION banner_grant_resolved(
      p_app text, p_user text, p_offer text, p_at timestamptz, p_max integer, p_cooldown_ms bigint,
      p_predict text
    ) RETURNS boolean
    LANGUAGE plpgsql VOLATILE AS $fn$
    DECLARE v_user text;
    BEGIN
      SELECT r.user_id INTO v_user FROM banner_resolve_locked(p_app, ARRAY[p_user]) r;
      INSERT INTO banner_offer_grants AS g (app_id, user_id, offer_id, count, last_at, predict_id)
      VALUES (p_app, v_user, p_offer, 1, p_at, p_predict)
      ON CONFLICT (app_id, user_id, offer_id) DO UPDATE SET
        count = CASE WHEN g.predict_id = EXCLUDED.predict_id THEN g.count ELSE g.count + 1 END,
        last_at = CASE WHEN g.predict_id = EXCLUDED.predict_id THEN g.last_at ELSE EXCLUDED.last_at END,
        predict_id = EXCLUDED.predict_id
      WHERE g.predict_id = EXCLUDED.predict_id
        OR ((p_max IS NULL OR g.count < p_max)
          AND (p_cooldown_ms IS NULL OR g.last_at <= EXCLUDED.last_at - make_interval(secs => p_cooldown_ms / 1000.0)));
      RETURN FOUND;
    END
    $fn$;
  `,
};

/** The shared lock of each id and the user it stands for (sent, user_id), in one round trip. */
export const RESOLVE_LOCKED = 'SELECT sent, user_id FROM banner_resolve_locked($1, $2)';

/** A link's side: the alias's lock held exclusively, after the app's alias lock (LOCK_APP_ALIASES). */
export const LOCK_ALIAS_ID = 'SELECT pg_advisory_xact_lock(banner_id_lock_key($1, $2))';

/**
 * banner_grant_resolved answering when the grant the call gets was made (the row's last_at,
 * which a replay leaves as it was) instead of whether there is one: a concurrent copy of a
 * call whose predict_id another copy just granted replied with its own clock, so copies
 * showed expiries tens of ms apart (vendor-clients probe, 10 of 20 runs). A new function,
 * not a replacement, for rolling upgrades as above.
 */
export const GRANT_MADE_MIGRATION: Migration = {
  version: 113,
  name: "banner: a special offer's grant answers when it was made, a replay the original time",
  sql: `
    CREATE FUNCTION banner_grant_made(
      p_app text, p_user text, p_offer text, p_at timestamptz, p_max integer, p_cooldown_ms bigint,
      p_predict text
    ) RETURNS timestamptz
    LANGUAGE plpgsql VOLATILE AS $fn$
    DECLARE v_user text; v_at timestamptz;
    BEGIN
      SELECT r.user_id INTO v_user FROM banner_resolve_locked(p_app, ARRAY[p_user]) r;
      INSERT INTO banner_offer_grants AS g (app_id, user_id, offer_id, count, last_at, predict_id)
      VALUES (p_app, v_user, p_offer, 1, p_at, p_predict)
      ON CONFLICT (app_id, user_id, offer_id) DO UPDATE SET
        count = CASE WHEN g.predict_id = EXCLUDED.predict_id THEN g.count ELSE g.count + 1 END,
        last_at = CASE WHEN g.predict_id = EXCLUDED.predict_id THEN g.last_at ELSE EXCLUDED.last_at END,
        predict_id = EXCLUDED.predict_id
      WHERE g.predict_id = EXCLUDED.predict_id
        OR ((p_max IS NULL OR g.count < p_max)
          AND (p_cooldown_ms IS NULL OR g.last_at <= EXCLUDED.last_at - make_interval(secs => p_cooldown_ms / 1000.0)))
      RETURNING g.last_at INTO v_at;
      RETURN v_at;
    END
    $fn$;
  `,
};
