import type pg from 'pg';
import type { LastGoodRules, LastGoodSnapshot } from '../last-good-rules.js';
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

/**
 * PostgreSQL's LastGoodRules: one row per app, shared by the instances (they serve one
 * rules dir's contents; the last to activate writes it). A row is rewritten only when an
 * instance activates rules from its files (a start or a change), not per request.
 */
export class PostgresLastGoodRules implements LastGoodRules {
  constructor(private readonly pool: pg.Pool) {}

  async put(appId: string, snapshot: LastGoodSnapshot): Promise<void> {
    await this.pool.query(
      `INSERT INTO offerd_rules_last_good (app_id, hash, files) VALUES ($1, $2, $3)
       ON CONFLICT (app_id) DO UPDATE SET hash = EXCLUDED.hash, files = EXCLUDED.files, at = now()`,
      [appId, snapshot.hash, JSON.stringify(snapshot.files)],
    );
  }

  async get(appId: string): Promise<LastGoodSnapshot | null> {
    const { rows } = await this.pool.query<LastGoodSnapshot>(
      'SELECT hash, files FROM offerd_rules_last_good WHERE app_id = $1',
      [appId],
    );
    return rows[0] ?? null;
  }
}
