import type { Pool } from 'pg';
import { inTransaction } from '../../store/postgres/migrate.js';
import { applyOperations, type ProfileProperties } from '../domain/profile-ops.js';
import {
  type GrantLimits,
  INSERT_ID_WINDOW_MS,
  type ProfileKind,
  type ProfileStore,
  type ProfileUpdate,
} from './profile-store.js';

/** The row is created first so that FOR UPDATE has a row to lock even for a new profile. */
const ENSURE_PROFILE = `
  INSERT INTO banner_profiles (app_id, kind, id, properties) VALUES ($1, $2, $3, '{}'::jsonb)
  ON CONFLICT DO NOTHING`;

/** One statement: insert the first grant, or count another only when cap and cooldown allow. */
const GRANT = `
  INSERT INTO banner_offer_grants AS g (app_id, user_id, offer_id, count, last_at)
  VALUES ($1, $2, $3, 1, $4)
  ON CONFLICT (app_id, user_id, offer_id) DO UPDATE SET count = g.count + 1, last_at = EXCLUDED.last_at
  WHERE ($5::integer IS NULL OR g.count < $5)
    AND ($6::bigint IS NULL OR g.last_at <= EXCLUDED.last_at - make_interval(secs => $6 / 1000.0))
  RETURNING 1`;

/** ProfileStore on PostgreSQL: row locks for read-apply-write, constraints for insert-if-absent. */
export class ProfilePostgresStore implements ProfileStore {
  constructor(private readonly pool: Pool) {}

  async profile(appId: string, kind: ProfileKind, id: string): Promise<ProfileProperties | null> {
    const { rows } = await this.pool.query(
      'SELECT properties FROM banner_profiles WHERE app_id = $1 AND kind = $2 AND id = $3',
      [appId, kind, id],
    );
    const props = rows[0]?.properties as ProfileProperties | undefined;
    // An update that fails on a new profile leaves the empty row ENSURE_PROFILE made.
    return props && Object.keys(props).length > 0 ? props : null;
  }

  async update(appId: string, updates: readonly ProfileUpdate[]): Promise<(string | null)[]> {
    const results: (string | null)[] = [];
    for (const u of updates) results.push(await this.updateOne(appId, u));
    return results;
  }

  private updateOne(appId: string, u: ProfileUpdate): Promise<string | null> {
    return inTransaction(this.pool, async (client) => {
      await client.query(ENSURE_PROFILE, [appId, u.kind, u.id]);
      const { rows } = await client.query(
        'SELECT properties FROM banner_profiles WHERE app_id = $1 AND kind = $2 AND id = $3 FOR UPDATE',
        [appId, u.kind, u.id],
      );
      const current = rows[0]?.properties as ProfileProperties;
      let next: ProfileProperties | null;
      try {
        next = applyOperations(Object.keys(current).length > 0 ? current : null, u.operations);
      } catch (err) {
        return (err as Error).message;
      }
      if (next === null) {
        await client.query('DELETE FROM banner_profiles WHERE app_id = $1 AND kind = $2 AND id = $3', [
          appId,
          u.kind,
          u.id,
        ]);
      } else {
        await client.query(
          'UPDATE banner_profiles SET properties = $4 WHERE app_id = $1 AND kind = $2 AND id = $3',
          [appId, u.kind, u.id, JSON.stringify(next)],
        );
      }
      return null;
    });
  }

  async alias(appId: string, alias: string, distinctId: string): Promise<string> {
    await this.pool.query(
      'INSERT INTO banner_aliases (app_id, alias, distinct_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [appId, alias, distinctId],
    );
    return this.resolve(appId, alias);
  }

  async resolve(appId: string, id: string): Promise<string> {
    const { rows } = await this.pool.query(
      'SELECT distinct_id FROM banner_aliases WHERE app_id = $1 AND alias = $2',
      [appId, id],
    );
    return (rows[0]?.distinct_id as string | undefined) ?? id;
  }

  async claimInsertIds(appId: string, ids: readonly string[], at: Date): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    return inTransaction(this.pool, async (client) => {
      // An id older than the window counts as new again: its old row is dropped first.
      await client.query(
        'DELETE FROM banner_insert_ids WHERE app_id = $1 AND insert_id = ANY($2) AND seen_at < $3',
        [appId, ids, new Date(at.getTime() - INSERT_ID_WINDOW_MS)],
      );
      const { rows } = await client.query(
        `INSERT INTO banner_insert_ids (app_id, insert_id, seen_at)
         SELECT $1, unnest($2::text[]), $3 ON CONFLICT DO NOTHING RETURNING insert_id`,
        [appId, ids, at],
      );
      return new Set(rows.map((r) => r.insert_id as string));
    });
  }

  async pruneInsertIds(before: Date, limit: number): Promise<number> {
    // Bounded per statement (index banner_insert_ids_seen_at), so one prune never holds many row locks.
    const { rowCount } = await this.pool.query(
      `DELETE FROM banner_insert_ids WHERE (app_id, insert_id) IN (
         SELECT app_id, insert_id FROM banner_insert_ids WHERE seen_at < $1 LIMIT $2)`,
      [before, limit],
    );
    return rowCount ?? 0;
  }

  async releaseInsertIds(appId: string, ids: readonly string[]): Promise<void> {
    await this.pool.query('DELETE FROM banner_insert_ids WHERE app_id = $1 AND insert_id = ANY($2)', [
      appId,
      ids,
    ]);
  }

  async grant(
    appId: string,
    userId: string,
    offerId: string,
    at: Date,
    limits: GrantLimits,
  ): Promise<boolean> {
    const { rows } = await this.pool.query(GRANT, [
      appId,
      userId,
      offerId,
      at,
      limits.maxPerUser,
      limits.cooldownMs,
    ]);
    return rows.length > 0;
  }
}
