import type pg from 'pg';
import type { SnapshotFile } from '../../rules/rules-status.js';
import type { ActionLog, LoggedAction, SharedAction } from '../admin-action-log.js';
import { inTransaction, type Migration } from './migrate.js';

export const ADMIN_ACTIONS_MIGRATION: Migration = {
  version: 301,
  name: 'admin actions shared by the instances',
  sql: `
    CREATE TABLE offerd_admin_actions (
      seq bigserial PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('reload', 'rollback')),
      app_id text,
      hash text,
      origin text NOT NULL,
      at timestamptz NOT NULL DEFAULT now()
    );
  `,
};

export const ADMIN_ACTION_FILES_MIGRATION: Migration = {
  version: 303,
  name: 'rolled-back snapshot texts in the admin actions',
  sql: 'ALTER TABLE offerd_admin_actions ADD COLUMN files jsonb',
};

export const ADMIN_ACTION_CATALOG_MIGRATION: Migration = {
  version: 304,
  name: 'catalog syncs in the admin actions',
  sql: `
    ALTER TABLE offerd_admin_actions ADD COLUMN wall_id integer;
    ALTER TABLE offerd_admin_actions DROP CONSTRAINT offerd_admin_actions_kind_check;
    ALTER TABLE offerd_admin_actions ADD CONSTRAINT offerd_admin_actions_kind_check
      CHECK (kind IN ('reload', 'rollback', 'catalog'));
  `,
};

/** Arbitrary but fixed (beside the migration lock, 0x0ff3d): taken by every append. */
const APPEND_LOCK = 0x0ff3e;

const COLUMNS = 'seq, kind, app_id, hash, origin, files, wall_id';

interface Row {
  seq: string;
  kind: string;
  app_id: string | null;
  hash: string | null;
  origin: string;
  files: SnapshotFile[] | null;
  wall_id: number | null;
}

function actionOf(r: Row): SharedAction | null {
  if (r.kind === 'rollback')
    return { kind: 'rollback', appId: String(r.app_id), hash: String(r.hash), files: r.files ?? null };
  if (r.kind === 'reload') return { kind: 'reload', appId: r.app_id === null ? null : String(r.app_id) };
  if (r.kind === 'catalog') return { kind: 'catalog', appId: String(r.app_id), wallId: Number(r.wall_id) };
  return null;
}

/** The entries this version knows; a kind a newer instance appended is passed over, never misread. */
function toLogged(rows: Row[]): LoggedAction[] {
  return rows.flatMap((r) => {
    const action = actionOf(r);
    return action ? [{ seq: Number(r.seq), origin: String(r.origin), action }] : [];
  });
}

/**
 * The admin action log in PostgreSQL: appended by the instance that was called, read in order
 * by every instance, that one included (AdminActionFollower). Append-only; a row is a few bytes
 * per admin call or catalog sync, or a snapshot's rule files for a rollback (rare, operator-made).
 */
export class AdminActionLog implements ActionLog {
  constructor(private readonly pool: pg.Pool) {}

  /**
   * Appends `action` and returns the entries after `cursor` up to and including it, read in
   * the same transaction: once it commits, the caller has what it must apply before its own.
   * Under a transaction-level lock, so numbers are handed out and committed in one order: a
   * reader of `seq > cursor` can never see an entry while one numbered before it is still
   * uncommitted, and pass that one for good (a bigserial alone takes its number at the
   * insert and may commit after a later one). Admin actions are rare; they wait in line.
   */
  async append(action: SharedAction, origin: string, cursor: number): Promise<LoggedAction[]> {
    const hash = action.kind === 'rollback' ? action.hash : null;
    const files = action.kind === 'rollback' && action.files ? JSON.stringify(action.files) : null;
    const wallId = action.kind === 'catalog' ? action.wallId : null;
    return inTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK]);
      const { rows } = await client.query<{ seq: string }>(
        'INSERT INTO offerd_admin_actions (kind, app_id, hash, origin, files, wall_id) VALUES ($1, $2, $3, $4, $5, $6) RETURNING seq',
        [action.kind, action.appId, hash, origin, files, wallId],
      );
      const seq = Number(rows[0]?.seq);
      const read = await client.query<Row>(
        `SELECT ${COLUMNS} FROM offerd_admin_actions WHERE seq > $1 AND seq <= $2 ORDER BY seq`,
        [cursor, seq],
      );
      return toLogged(read.rows);
    });
  }

  /**
   * Where a starting instance joins the log: its head, and for every app the rollback still in
   * force (no reload of that app, or of every app, after it). One statement, one snapshot: an
   * entry is either read here or numbered after `head`.
   */
  async current(): Promise<{ head: number; rollbacks: LoggedAction[] }> {
    const { rows } = await this.pool.query<Row & { head: string }>(`
      WITH head AS (SELECT coalesce(max(seq), 0) AS head FROM offerd_admin_actions),
      last_rollbacks AS (
        SELECT DISTINCT ON (app_id) ${COLUMNS} FROM offerd_admin_actions
        WHERE kind = 'rollback' ORDER BY app_id, seq DESC
      )
      SELECT head.head, r.* FROM head LEFT JOIN last_rollbacks r ON NOT EXISTS (
        SELECT 1 FROM offerd_admin_actions l
        WHERE l.kind = 'reload' AND l.seq > r.seq AND (l.app_id IS NULL OR l.app_id = r.app_id)
      )`);
    return {
      head: Number(rows[0]?.head ?? 0),
      rollbacks: toLogged(rows.filter((r) => r.seq !== null)),
    };
  }

  async after(seq: number): Promise<LoggedAction[]> {
    const { rows } = await this.pool.query<Row>({
      name: 'admin-actions-after',
      text: `SELECT ${COLUMNS} FROM offerd_admin_actions WHERE seq > $1 ORDER BY seq`,
      values: [seq],
    });
    return toLogged(rows);
  }
}
