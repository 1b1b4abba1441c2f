import pg from 'pg';

/** What the instance has sent PostgreSQL since it started. */
export interface QueryCounts {
  /** Every query call on a connection: one network round trip each (extended protocol). */
  roundTrips: number;
  /** Round trips other than transaction control (BEGIN, COMMIT, ROLLBACK). */
  statements: number;
}

export interface PoolSettings {
  url: string;
  /** Connections per instance (node-postgres `max`). */
  max: number;
  /** Server-side `statement_timeout` of every connection, ms; 0: none. */
  statementTimeoutMs: number;
  /** How long a request waits for a connection (to open or to free up), ms; 0: no limit. */
  connectionTimeoutMs: number;
}

const CONTROL = /^\s*(BEGIN|COMMIT|ROLLBACK)\b/i;

/**
 * How much longer than statement_timeout a statement may go unanswered before the client gives
 * up on it. statement_timeout is the server's: a server that hangs (stopped, a stalled host, a
 * network partition) enforces nothing, and a request on a pooled connection waited as long as the
 * hang (30 s+, operator probe). The margin lets the server's own cancel (57014) arrive first.
 */
export const CLIENT_TIMEOUT_MARGIN_MS = 1000;
/** TCP keepalive on every connection: a peer that vanished is noticed on an idle connection too. */
const KEEPALIVE_DELAY_MS = 10_000;

function textOf(args: unknown[]): string {
  const first = args[0];
  if (typeof first === 'string') return first;
  if (first && typeof first === 'object' && 'text' in first) return String((first as { text: unknown }).text);
  return '';
}

/**
 * A pool whose connections count what they send, for /metrics and the round-trip
 * tests: the Client class is made per pool so that the counts belong to one store
 * instance (two instances in one test process count apart).
 */
export function countedPool(settings: PoolSettings): { pool: pg.Pool; counts: QueryCounts } {
  const counts: QueryCounts = { roundTrips: 0, statements: 0 };
  class CountedClient extends pg.Client {
    constructor(config?: string | pg.ClientConfig) {
      super(config);
      // A connection that breaks while checked out (between a transaction's statements, or
      // the server stopping) emits 'error', and pg-pool listens only while it is idle: an
      // 'error' nobody listens to ends the process (two instances died on one PostgreSQL
      // stop under load). Nothing is lost by ignoring it here: the next statement on the
      // connection fails ("not queryable"), its transaction answers 503 and the release
      // discards the connection. Idle connections still report through the pool's 'error'.
      this.on('error', () => undefined);
    }

    // biome-ignore lint/suspicious/noExplicitAny: node-postgres overloads query many ways; this forwards them all.
    override query(...args: any[]): any {
      counts.roundTrips += 1;
      if (!CONTROL.test(textOf(args))) counts.statements += 1;
      // biome-ignore lint/suspicious/noExplicitAny: see above.
      return (super.query as (...a: any[]) => any)(...args);
    }
  }
  const pool = new pg.Pool({
    connectionString: settings.url,
    max: settings.max,
    Client: CountedClient,
    connectionTimeoutMillis: settings.connectionTimeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
    ...(settings.statementTimeoutMs > 0
      ? {
          statement_timeout: settings.statementTimeoutMs,
          // "Query read timeout": the statement's caller gets the error, and the connection,
          // still waiting for its answer, must be discarded (pool.query releases it with the
          // error; inTransaction too), never reused.
          query_timeout: settings.statementTimeoutMs + CLIENT_TIMEOUT_MARGIN_MS,
        }
      : {}),
  });
  return { pool, counts };
}
