import type { PoolClient } from 'pg';
import type { Assignment, ExperimentKey } from './banner-store.js';

type Row = Record<string, unknown>;

// Serializes the first assignments of one user across experiments. A unique
// constraint cannot express the slot: an experiment without an occasion competes with
// every occasion, so "same slot" is not an equivalence on a column. Under READ
// COMMITTED the check below takes its snapshot after the lock is granted, so it sees
// the assignment a concurrent request committed while this one waited.
const LOCK_USER = `SELECT pg_advisory_xact_lock(hashtextextended($1 || E'\\n' || $2, 0))`;

// The proposal's own key first (the same experiment always wins), then the rivals.
const HELD = `
  SELECT a.* FROM banner_assignments a
  JOIN unnest($3::text[], $4::integer[]) WITH ORDINALITY AS k(experiment_id, bucket_version, rank)
    ON a.experiment_id = k.experiment_id AND a.bucket_version = k.bucket_version
  WHERE a.app_id = $1 AND a.user_id = $2
  ORDER BY k.rank LIMIT 1`;

const INSERT = `
  INSERT INTO banner_assignments (app_id, experiment_id, bucket_version, user_id, variation_id, assigned_at)
  VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING *`;

/**
 * Within a transaction: the user's assignment in the proposal's experiment or one of
 * its rivals if there is one, else the proposal, inserted. Returns the stored row and
 * whether this call created it.
 */
export async function claimSlot(
  client: PoolClient,
  appId: string,
  p: Assignment,
  rivals: readonly ExperimentKey[],
): Promise<{ row: Row; created: boolean }> {
  await client.query(LOCK_USER, [appId, p.userId]);
  const keys = [{ experimentId: p.experimentId, bucketVersion: p.bucketVersion }, ...rivals];
  const held = await client.query(HELD, [
    appId,
    p.userId,
    keys.map((k) => k.experimentId),
    keys.map((k) => k.bucketVersion),
  ]);
  if (held.rows[0]) return { row: held.rows[0] as Row, created: false };
  const values = [appId, p.experimentId, p.bucketVersion, p.userId, p.variationId, p.assignedAt];
  const inserted = await client.query(INSERT, values);
  if (inserted.rows[0]) return { row: inserted.rows[0] as Row, created: true };
  // Only a caller that took no lock (one that saw no rivals, e.g. across a rules reload)
  // can have inserted the key meanwhile; its row wins as usual.
  const again = await client.query(HELD, [appId, p.userId, [p.experimentId], [p.bucketVersion]]);
  return { row: again.rows[0] as Row, created: false };
}
