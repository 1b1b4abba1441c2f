import type pg from 'pg';

export interface DatabaseHealthOptions {
  /** An answer is reused this long: one query a second however often /readyz is asked. */
  maxAgeMs?: number;
  /** A database that does not answer within this is unavailable (a probe must not hang). */
  waitMs?: number;
  now?: () => number;
}

/**
 * A new session's view: a database set read-only (`default_transaction_read_only`) or a
 * standby answered `SELECT 1` while every write was a 503 (an operator probe).
 */
const WRITABLE = `SELECT current_setting('transaction_read_only') = 'off' AND NOT pg_is_in_recovery() AS writable`;

/**
 * Whether the database answers and takes writes, for /readyz: an instance that cannot reach PostgreSQL answers
 * every API 503, so a load balancer should send its traffic elsewhere. At most one `SELECT 1`
 * is under way and one is sent per `maxAgeMs` (a probe per load balancer, or a client flooding
 * /readyz, never becomes a query each), and the answer comes within `waitMs` even when the
 * database hangs. The reason names no host, port or driver message: /readyz is public.
 */
export class DatabaseHealth {
  readonly #pool: pg.Pool;
  readonly #maxAgeMs: number;
  readonly #waitMs: number;
  readonly #now: () => number;
  #last: { at: number; reason: string | null } | undefined;
  #pending: Promise<string | null> | undefined;

  constructor(pool: pg.Pool, options: DatabaseHealthOptions = {}) {
    this.#pool = pool;
    this.#maxAgeMs = options.maxAgeMs ?? 1000;
    this.#waitMs = options.waitMs ?? 1000;
    this.#now = options.now ?? Date.now;
  }

  /** Null when the database answered, else why not. */
  check(): Promise<string | null> {
    const last = this.#last;
    if (last && this.#now() - last.at < this.#maxAgeMs) return Promise.resolve(last.reason);
    this.#pending ??= this.#ping().then((reason) => {
      this.#last = { at: this.#now(), reason };
      this.#pending = undefined;
      return reason;
    });
    return this.#pending;
  }

  /**
   * Asked on a pooled session, which is then discarded when it says read-only: a session keeps
   * the setting it started with, so after `RESET default_transaction_read_only` the pooled
   * ones (kept alive by the admin-action poll) said read-only for good (a focused probe).
   */
  async #writable(): Promise<boolean> {
    const client = await this.#pool.connect();
    try {
      const { rows } = await client.query(WRITABLE);
      const writable = rows[0]?.writable !== false;
      client.release(
        writable ? undefined : new Error('a read-only session: a new one reads the setting anew'),
      );
      return writable;
    } catch (err) {
      client.release(err instanceof Error ? err : new Error(String(err)));
      throw err;
    }
  }

  async #ping(): Promise<string | null> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<string>((resolve) => {
      timer = setTimeout(
        () => resolve(`the database did not answer within ${this.#waitMs} ms`),
        this.#waitMs,
      );
    });
    // A query that loses the race still settles later; its failure is read here, never unhandled.
    const answered = this.#writable().then(
      (writable) =>
        writable ? null : 'the database takes no writes (read-only, or a standby): every write is refused',
      () => 'the database is unavailable',
    );
    try {
      return await Promise.race([answered, late]);
    } finally {
      clearTimeout(timer);
    }
  }
}
