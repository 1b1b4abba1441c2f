import type pg from 'pg';
import {
  KEPT_PER_APP,
  type KeptSnapshotEntry,
  type LastGoodRules,
  type LastGoodSnapshot,
} from '../last-good-rules.js';
import type { Migration } from './migrate.js';

export const LAST_GOOD_RULES_MIGRATION: Migration = {
  version: 305,
  name: 'the rules each app last activated from its files',
  sql: `
    CREATE TABLE offerd_rules_last_good (
      app_id text PRIMARY KEY,
      hash text NOT NULL,
      files jsonb NOT NULL,
      at timestamptz NOT NULL DEFAULT now()
    );
  `,
};

export const KEPT_RULES_MIGRATION: Migration = {
  version: 306,
  name: 'the snapshots each app went live with, for a rollback after a restart',
  sql: `
    CREATE TABLE offerd_rules_kept (
      app_id text NOT NULL,
      hash text NOT NULL,
      files jsonb NOT NULL,
      at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (app_id, hash)
    );
    INSERT INTO offerd_rules_kept (app_id, hash, files, at) SELECT app_id, hash, files, at FROM offerd_rules_last_good;
  `,
};

/**
 * PostgreSQL's LastGoodRules: one row per app, shared by the instances (they serve one
 * rules dir's contents; the last to activate writes it), and the app's kept snapshots. Rows
 * are written only when an instance activates rules from its files (a start or a change),
 * not per request.
 */
export class PostgresLastGoodRules implements LastGoodRules {
  constructor(private readonly pool: pg.Pool) {}

  async put(appId: string, snapshot: LastGoodSnapshot): Promise<void> {
    // One statement: its parts see one snapshot, so the DELETE keeps the newest others
    // (KEPT_PER_APP - 1) besides the one this puts.
    await this.pool.query(
      `WITH last_good AS (
         INSERT INTO offerd_rules_last_good (app_id, hash, files) VALUES ($1, $2, $3)
         ON CONFLICT (app_id) DO UPDATE SET hash = EXCLUDED.hash, files = EXCLUDED.files, at = now()
       ), kept AS (
         INSERT INTO offerd_rules_kept (app_id, hash, files) VALUES ($1, $2, $3)
         ON CONFLICT (app_id, hash) DO UPDATE SET files = EXCLUDED.files, at = now()
       )
       DELETE FROM offerd_rules_kept WHERE app_id = $1 AND hash <> $2 AND hash NOT IN (
         SELECT hash FROM offerd_rules_kept WHERE app_id = $1 AND hash <> $2 ORDER BY at DESC LIMIT $4
       )`,
      [appId, snapshot.hash, JSON.stringify(snapshot.files), KEPT_PER_APP - 1],
    );
  }

  async get(appId: string): Promise<LastGoodSnapshot | null> {
    const { rows } = await this.pool.query<LastGoodSnapshot>(
      'SELECT hash, files FROM offerd_rules_last_good WHERE app_id = $1',
      [appId],
    );
    return rows[0] ?? null;
  }

  async find(appId: string, hash: string): Promise<LastGoodSnapshot | null> {
    const { rows } = await this.pool.query<LastGoodSnapshot>(
      'SELECT hash, files FROM offerd_rules_kept WHERE app_id = $1 AND hash = $2',
      [appId, hash],
    );
    return rows[0] ?? null;
  }

  async kept(appId: string): Promise<KeptSnapshotEntry[]> {
    const { rows } = await this.pool.query<{ hash: string; at: Date }>(
      'SELECT hash, at FROM offerd_rules_kept WHERE app_id = $1 ORDER BY at DESC, hash',
      [appId],
    );
    return rows.map((r) => ({ hash: r.hash, at: r.at.toISOString() }));
  }
}
