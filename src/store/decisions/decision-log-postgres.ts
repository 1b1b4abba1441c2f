import type pg from 'pg';
import type { Migration } from '../postgres/migrate.js';
import { withinRecordBounds } from './decision-bounds.js';
import type { DecisionLog, RecordedDecision } from './decision-log.js';

export const DECISIONS_MIGRATION: Migration = {
  version: 302,
  name: 'sampled decision log for replay',
  sql: `
    CREATE TABLE offerd_decisions (
      id bigserial PRIMARY KEY,
      app_id text NOT NULL,
      api text NOT NULL,
      decision jsonb NOT NULL
    );
    CREATE INDEX offerd_decisions_app_api ON offerd_decisions (app_id, api, id);
  `,
};

interface Pending {
  decision: RecordedDecision;
  done: () => void;
  failed: (err: Error) => void;
}

/**
 * The decision log in PostgreSQL, written behind: record() queues the decision and one
 * INSERT per batch (one row per sampled decision) runs after the current tick, off the
 * request's path; the rows beyond the bound of each app and API touched are deleted then.
 */
export class PostgresDecisionLog implements DecisionLog {
  #queue: Pending[] = [];
  #writing: Promise<void> = Promise.resolve();
  #scheduled = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly maxPerApi: number,
  ) {}

  record(decision: RecordedDecision): Promise<void> {
    return new Promise((done, failed) => {
      // Cut as on the embedded store: a row is read back whole by a replay (up to its limit).
      this.#queue.push({ decision: withinRecordBounds(structuredClone(decision)), done, failed });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => {
          this.#scheduled = false;
          this.#writing = this.#writing.then(() => this.#writeBatch());
        });
      }
    });
  }

  async #writeBatch(): Promise<void> {
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length === 0) return;
    try {
      await this.#insert(batch.map((p) => p.decision));
      for (const p of batch) p.done();
    } catch (err) {
      for (const p of batch) p.failed(err as Error);
    }
  }

  async #insert(decisions: RecordedDecision[]): Promise<void> {
    const values: unknown[] = [];
    const rows = decisions.map((d, i) => {
      values.push(d.appId, d.api, JSON.stringify(d));
      return `($${i * 3 + 1}, $${i * 3 + 2}, $${i * 3 + 3}::jsonb)`;
    });
    await this.pool.query(
      `INSERT INTO offerd_decisions (app_id, api, decision) VALUES ${rows.join(', ')}`,
      values,
    );
    const touched = new Set(decisions.map((d) => JSON.stringify([d.appId, d.api])));
    for (const key of touched) {
      const [appId, api] = JSON.parse(key) as [string, string];
      await this.pool.query(
        `DELETE FROM offerd_decisions WHERE app_id = $1 AND api = $2 AND id <= (
           SELECT id FROM offerd_decisions WHERE app_id = $1 AND api = $2
           ORDER BY id DESC OFFSET $3 LIMIT 1)`,
        [appId, api, this.maxPerApi],
      );
    }
  }

  async list(appId: string, api?: string, limit?: number): Promise<RecordedDecision[]> {
    await this.flush();
    const { rows } = await this.pool.query<{ decision: RecordedDecision }>(
      `SELECT decision FROM (
         SELECT id, decision FROM offerd_decisions
         WHERE app_id = $1 AND ($2::text IS NULL OR api = $2)
         ORDER BY id DESC LIMIT $3) newest
       ORDER BY id`,
      [appId, api ?? null, limit ?? this.maxPerApi * 16],
    );
    return rows.map((r) => r.decision);
  }

  /** Waits until every decision recorded so far is written (or failed). */
  async flush(): Promise<void> {
    while (this.#queue.length > 0 || this.#scheduled) {
      await new Promise((resolve) => setImmediate(resolve));
      await this.#writing;
    }
    await this.#writing;
  }

  close(): Promise<void> {
    return this.flush();
  }
}
