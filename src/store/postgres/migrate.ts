import type { Pool, PoolClient } from 'pg';

/** One schema change; `version`s are applied in order, each once. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Arbitrary but fixed: the advisory lock every offerd instance takes to migrate. */
const MIGRATION_LOCK = 0x0ff3d;

export interface MigrationResult {
  applied: { version: number; name: string }[];
  current: number;
}

/**
 * Applies the migrations not yet recorded, in one transaction under an advisory lock,
 * so several instances starting at once migrate exactly once and a failing migration
 * leaves the schema as it was. Safe to run on every start.
 */
export async function migrate(pool: Pool, migrations: readonly Migration[]): Promise<MigrationResult> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // A migration on a big table (an index over a million rows) outlasts a serving timeout.
    await client.query('SET LOCAL statement_timeout = 0');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS offerd_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const done = new Set(
      (await client.query<{ version: number }>('SELECT version FROM offerd_migrations')).rows.map(
        (r) => r.version,
      ),
    );
    const applied: MigrationResult['applied'] = [];
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(m.version)) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO offerd_migrations (version, name) VALUES ($1, $2)', [
        m.version,
        m.name,
      ]);
      applied.push({ version: m.version, name: m.name });
    }
    await client.query('COMMIT');
    return { applied, current: Math.max(0, ...migrations.map((m) => m.version)) };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/**
 * Runs `work` in a transaction on one pooled connection. A connection that breaks while it
 * is held fails the transaction, not the process: every connection of the store's pool
 * listens for its 'error' (countedPool).
 */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
