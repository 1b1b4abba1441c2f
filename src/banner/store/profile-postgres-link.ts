import type { PoolClient } from 'pg';
import { applyOperations, type ProfileProperties } from '../domain/profile-ops.js';
import type { ExperimentKey } from './banner-store.js';

// The statements of a link (ProfileStore.alias) on PostgreSQL, run in its transaction under
// LOCK_APP_ALIASES and the alias's LOCK_ALIAS_ID (profile-postgres-store.ts): whether the alias
// is a user of its own (TAKEN; a sign-in's ADOPT_TAKEN), the link, and a sign-in's merge.

// Links the alias to the user $3 stands for, unless the alias is that user or is linked.
export const LINK_ALIAS = `
  INSERT INTO banner_aliases (app_id, alias, distinct_id)
  SELECT $1, $2, u.id FROM (
    SELECT coalesce((SELECT distinct_id FROM banner_aliases WHERE app_id = $1 AND alias = $3), $3) AS id
  ) u
  WHERE u.id <> $2
  ON CONFLICT DO NOTHING`;

/**
 * Whether the alias $2, not linked and not the user $3 stands for, is a user of its own here:
 * a profile (emptied by a $delete or not: its row says the id was used), ids linked to it, a tracked event or flushed render (its
 * banner_users row), an assignment or a special-offer grant. Read under LOCK_APP_ALIASES,
 * which profile updates hold shared, and the alias's LOCK_ALIAS_ID, which its events,
 * assignments and grants hold shared: none is under way, and none after it resolves its id
 * before the link. Grants count of the offers $4 (the rules' special offers, as
 * SdkService.link's pre-check asks).
 */
export const TAKEN = `
  SELECT NOT EXISTS (SELECT 1 FROM banner_aliases WHERE app_id = $1 AND alias = $2)
    AND coalesce((SELECT distinct_id FROM banner_aliases WHERE app_id = $1 AND alias = $3), $3) <> $2
    AND (EXISTS (SELECT 1 FROM banner_profiles WHERE app_id = $1 AND kind = 'user' AND id = $2)
      OR EXISTS (SELECT 1 FROM banner_aliases WHERE app_id = $1 AND distinct_id = $2)
      OR EXISTS (SELECT 1 FROM banner_users WHERE app_id = $1 AND user_id = $2)
      OR EXISTS (SELECT 1 FROM banner_assignments WHERE app_id = $1 AND user_id = $2)
      OR EXISTS (SELECT 1 FROM banner_offer_grants
                 WHERE app_id = $1 AND user_id = $2 AND offer_id = ANY($4::text[]))) AS taken`;

/**
 * A sign-in's link (ProfileStore.alias with adoptSince) on PostgreSQL: whether the new id $2
 * holds anything a just-signed-in device cannot have made before its queued `_kb_identify`
 * arrived. As TAKEN, except that a profile made ($5) or a user first seen or assigned at or
 * after it is not: a tracked event, an older render, profile or assignment, ids linked to it
 * or a grant still are (the takeover case, docs/security.md). Profiles without created_at were
 * made before it was recorded: read as old. Read under the same locks as TAKEN.
 */
export const ADOPT_TAKEN = `
  SELECT NOT EXISTS (SELECT 1 FROM banner_aliases WHERE app_id = $1 AND alias = $2)
    AND coalesce((SELECT distinct_id FROM banner_aliases WHERE app_id = $1 AND alias = $3), $3) <> $2
    AND (EXISTS (SELECT 1 FROM banner_profiles
                 WHERE app_id = $1 AND kind = 'user' AND id = $2 AND (created_at IS NULL OR created_at < $5))
      OR EXISTS (SELECT 1 FROM banner_aliases WHERE app_id = $1 AND distinct_id = $2)
      OR EXISTS (SELECT 1 FROM banner_users
                 WHERE app_id = $1 AND user_id = $2 AND (events > 0 OR first_seen_at < $5))
      OR EXISTS (SELECT 1 FROM banner_events WHERE app_id = $1 AND user_id = $2)
      OR EXISTS (SELECT 1 FROM banner_assignments WHERE app_id = $1 AND user_id = $2 AND assigned_at < $5)
      OR EXISTS (SELECT 1 FROM banner_offer_grants
                 WHERE app_id = $1 AND user_id = $2 AND offer_id = ANY($4::text[]))) AS taken`;

// Both users' rows locked in id order, as the render flush and track lock theirs: no deadlock.
const LOCK_USERS = `
  SELECT 1 FROM banner_users WHERE app_id = $1 AND user_id = ANY($2::text[]) ORDER BY user_id FOR UPDATE`;

// The new id's render stats folded into the user's: earliest first seen, latest last seen, counts added.
const FOLD_USER = `
  INSERT INTO banner_users AS u
    (app_id, user_id, first_seen_at, last_seen_at, renders, events, purchases, last_event_at, last_purchase_at)
  SELECT app_id, $3, first_seen_at, last_seen_at, renders, events, purchases, last_event_at, last_purchase_at
  FROM banner_users WHERE app_id = $1 AND user_id = $2
  ON CONFLICT (app_id, user_id) DO UPDATE SET
    first_seen_at = LEAST(u.first_seen_at, EXCLUDED.first_seen_at),
    last_seen_at = GREATEST(u.last_seen_at, EXCLUDED.last_seen_at),
    renders = u.renders + EXCLUDED.renders,
    events = u.events + EXCLUDED.events,
    purchases = u.purchases + EXCLUDED.purchases,
    last_event_at = GREATEST(u.last_event_at, EXCLUDED.last_event_at),
    last_purchase_at = GREATEST(u.last_purchase_at, EXCLUDED.last_purchase_at)`;

/** The user's slot lock (banner_claim_slot): the moved assignments never race a claim of a rival. */
const LOCK_SLOT = `SELECT pg_advisory_xact_lock(hashtextextended($1 || E'\\n' || $2, 0))`;

// An assignment of an experiment and bucket version the user holds is dropped (ON CONFLICT):
// the user's variation stays, and the experiment counts one user, not two.
const MOVE_ASSIGNMENTS = `
  WITH gone AS (
    DELETE FROM banner_assignments WHERE app_id = $1 AND user_id = $2
    RETURNING experiment_id, bucket_version, variation_id, assigned_at, weights
  )
  INSERT INTO banner_assignments (app_id, experiment_id, bucket_version, user_id, variation_id, assigned_at, weights)
  SELECT $1, experiment_id, bucket_version, $3, variation_id, assigned_at, weights FROM gone
  ON CONFLICT DO NOTHING`;

// The new id's assignments the caller named (rivals of the user's slot: ProfileStore.alias `drop`).
const DROP_ASSIGNMENTS = `
  DELETE FROM banner_assignments
  WHERE app_id = $1 AND user_id = $2
    AND (experiment_id, bucket_version) IN (SELECT * FROM unnest($3::text[], $4::int[]))`;

const PROFILE_OF = `SELECT properties, created_at FROM banner_profiles WHERE app_id = $1 AND kind = 'user' AND id = $2`;

const PUT_PROFILE = `
  INSERT INTO banner_profiles (app_id, kind, id, properties, created_at) VALUES ($1, 'user', $2, $3, $4)
  ON CONFLICT (app_id, kind, id) DO UPDATE SET properties = EXCLUDED.properties`;

/**
 * Links the new id `alias` to `user` (what the anonymous id stands for; neither linked nor
 * the alias, checked by the caller) and merges into `user` what the new id holds, passed by
 * ADOPT_TAKEN: its profile's properties set over the user's, its render stats, its
 * assignments. The new id's rows go: it resolves to `user` from here on. Runs in the link's
 * transaction, under its locks; the assignments named in `drop` go without moving. False (nothing written) when the merged profile would break
 * a profile limit.
 */
export async function adoptAlias(
  c: PoolClient,
  appId: string,
  alias: string,
  user: string,
  drop: readonly ExperimentKey[] = [],
): Promise<boolean> {
  const mine = (await c.query(PROFILE_OF, [appId, alias])).rows[0] as
    | { properties: ProfileProperties; created_at: Date | null }
    | undefined;
  if (mine && Object.keys(mine.properties).length > 0) {
    const theirs = (await c.query(PROFILE_OF, [appId, user])).rows[0] as
      | { properties: ProfileProperties; created_at: Date | null }
      | undefined;
    let merged: ProfileProperties | null;
    try {
      merged = applyOperations(theirs?.properties ?? null, [{ op: '$set', values: mine.properties }]);
    } catch {
      return false;
    }
    if (merged !== null) {
      await c.query(PUT_PROFILE, [
        appId,
        user,
        JSON.stringify(merged),
        theirs?.created_at ?? mine.created_at,
      ]);
    }
  }
  await c.query(`DELETE FROM banner_profiles WHERE app_id = $1 AND kind = 'user' AND id = $2`, [
    appId,
    alias,
  ]);
  await c.query(
    'INSERT INTO banner_aliases (app_id, alias, distinct_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
    [appId, alias, user],
  );
  await foldUser(c, appId, alias, user);
  await c.query(LOCK_SLOT, [appId, user]);
  if (drop.length > 0) {
    await c.query(DROP_ASSIGNMENTS, [
      appId,
      alias,
      drop.map((k) => k.experimentId),
      drop.map((k) => k.bucketVersion),
    ]);
  }
  await c.query(MOVE_ASSIGNMENTS, [appId, alias, user]);
  // None without a tracked event (ADOPT_TAKEN): gone with the assignments they were of.
  await c.query('DELETE FROM banner_assignment_values WHERE app_id = $1 AND user_id = $2', [appId, alias]);
  return true;
}

/** The banner_users row of `from` folded into the one of `into`, and removed. */
export async function foldUser(c: PoolClient, appId: string, from: string, into: string): Promise<void> {
  await c.query(LOCK_USERS, [appId, [from, into]]);
  await c.query(FOLD_USER, [appId, from, into]);
  await c.query('DELETE FROM banner_users WHERE app_id = $1 AND user_id = $2', [appId, from]);
}
