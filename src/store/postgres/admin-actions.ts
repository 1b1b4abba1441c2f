import type pg from 'pg';
import type { Migration } from './migrate.js';

/** An admin action that every instance must apply, not only the one that was called. */
export type SharedAction =
  | { kind: 'reload'; appId: string | null }
  | { kind: 'rollback'; appId: string; hash: string };

export interface LoggedAction {
  seq: number;
  action: SharedAction;
  /** The instance that was called (it applied the action already). */
  origin: string;
}

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

/**
 * The admin action log in PostgreSQL: appended by the instance that was called, read by
 * every other one from where it last read (AdminActionFollower). Append-only; a row is
 * a few bytes per admin call.
 */
export class AdminActionLog {
  constructor(private readonly pool: pg.Pool) {}

  async append(action: SharedAction, origin: string): Promise<void> {
    const hash = action.kind === 'rollback' ? action.hash : null;
    await this.pool.query(
      'INSERT INTO offerd_admin_actions (kind, app_id, hash, origin) VALUES ($1, $2, $3, $4)',
      [action.kind, action.appId, hash, origin],
    );
  }

  /** The last sequence number so far: a new instance follows from there (its files are current). */
  async head(): Promise<number> {
    const { rows } = await this.pool.query(
      'SELECT coalesce(max(seq), 0)::bigint AS seq FROM offerd_admin_actions',
    );
    return Number(rows[0]?.seq ?? 0);
  }

  async after(seq: number): Promise<LoggedAction[]> {
    const { rows } = await this.pool.query({
      name: 'admin-actions-after',
      text: 'SELECT seq, kind, app_id, hash, origin FROM offerd_admin_actions WHERE seq > $1 ORDER BY seq',
      values: [seq],
    });
    return rows.map((r) => ({
      seq: Number(r.seq),
      origin: String(r.origin),
      action:
        r.kind === 'rollback'
          ? { kind: 'rollback', appId: String(r.app_id), hash: String(r.hash) }
          : { kind: 'reload', appId: r.app_id === null ? null : String(r.app_id) },
    }));
  }
}
