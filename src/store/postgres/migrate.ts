import type { Pool, PoolClient, QueryConfig } from 'pg';
import { isStoreUnavailable, StoreBusyError } from '../store-unavailable.js';

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
  /** The newest version this offerd knows. */
  current: number;
  /** The newest version the database has recorded: above `current` when a newer offerd migrated it. */
  database: number;
}

/** A migration step the database refused: named, so the operator knows which one. */
export class MigrationFailedError extends Error {
  constructor(
    readonly migration: { version: number; name: string },
    cause: unknown,
  ) {
    super(
      `migration ${migration.version} (${migration.name}) failed: ${cause instanceof Error ? cause.message : String(cause)}; nothing was applied, the schema is as it was`,
      { cause },
    );
    this.name = 'MigrationFailedError';
  }
}

/**
 * The longest timer Node keeps (~24.8 days): a migration waits for the lock and runs as long as it
 * takes, beyond the pool's query_timeout (pg reads a falsy per-query timeout as "the pool's").
 */
const NO_CLIENT_TIMEOUT = 2 ** 31 - 1;
const unbounded = (text: string, values?: unknown[]): QueryConfig =>
  ({
    text,
    ...(values ? { values } : {}),
    query_timeout: NO_CLIENT_TIMEOUT,
  }) as QueryConfig;

/**
 * Whether the connection is lost or still waiting for an answer: a socket error, a broken
 * connection, the client's query_timeout (an answer that may never come: a ROLLBACK would queue
 * behind it). A server error (an SQLSTATE) or one of ours leaves it fit for a ROLLBACK.
 */
const connectionLost = (err: unknown): boolean =>
  !/^[0-9A-Z]{5}$/.test(String((err as { code?: unknown }).code)) &&
  !(err instanceof StoreBusyError) &&
  isStoreUnavailable(err);

/**
 * A session that refused a write as read-only (25006) keeps refusing: it took the setting
 * when it started (or it is a standby's). Discarded, the pool's next session reads it anew.
 */
const readOnlySession = (err: unknown): boolean => (err as { code?: unknown }).code === '25006';

/** Ends a failed transaction: rolled back, or the connection discarded (the server rolls back). */
export async function abandon(client: PoolClient, err: unknown): Promise<void> {
  if (connectionLost(err) || readOnlySession(err)) {
    client.release(err instanceof Error ? err : new Error(String(err)));
    return;
  }
  try {
    await client.query('ROLLBACK');
    client.release();
  } catch (rollbackErr) {
    client.release(rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr)));
  }
}

/**
 * Applies the migrations not yet recorded, in one transaction under an advisory lock,
 * so several instances starting at once migrate exactly once and a failing migration
 * leaves the schema as it was. Safe to run on every start; writes nothing when nothing is
 * pending, so an instance starts on a read-only database (or standby) already migrated.
 */
export async function migrate(pool: Pool, migrations: readonly Migration[]): Promise<MigrationResult> {
  const client = await pool.connect();
  try {
    await client.query(unbounded('BEGIN'));
    // A migration on a big table (an index over a million rows) outlasts a serving timeout.
    await client.query(unbounded('SET LOCAL statement_timeout = 0'));
    await client.query(unbounded('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]));
    const { rows: table } = await client.query(
      unbounded("SELECT to_regclass('offerd_migrations') IS NOT NULL AS present"),
    );
    if (!table[0]?.present)
      await client.query(
        unbounded(`CREATE TABLE IF NOT EXISTS offerd_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`),
      );
    const done = new Set(
      (await client.query<{ version: number }>(unbounded('SELECT version FROM offerd_migrations'))).rows.map(
        (r) => r.version,
      ),
    );
    const applied: MigrationResult['applied'] = [];
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(m.version)) continue;
      try {
        await client.query(unbounded(m.sql));
      } catch (err) {
        throw new MigrationFailedError(m, err);
      }
      await client.query(
        unbounded('INSERT INTO offerd_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]),
      );
      applied.push({ version: m.version, name: m.name });
    }
    await client.query(unbounded('COMMIT'));
    client.release();
    const current = Math.max(0, ...migrations.map((m) => m.version));
    return { applied, current, database: Math.max(0, ...done, ...applied.map((m) => m.version)) };
  } catch (err) {
    await abandon(client, err instanceof MigrationFailedError ? err.cause : err);
    throw err;
  }
}

/**
 * Runs `work` in a transaction on one pooled connection. A connection that breaks while it
 * is held fails the transaction, not the process: every connection of the store's pool
 * listens for its 'error' (countedPool). One whose statement went unanswered (query_timeout:
 * the server hangs) is discarded, not handed to the next request to hang on.
 */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    client.release();
    return result;
  } catch (err) {
    await abandon(client, err);
    throw err;
  }
}
