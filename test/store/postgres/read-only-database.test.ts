import { setTimeout as sleep } from 'node:timers/promises';
import test from 'ava';
import pg from 'pg';
import { usePostgres } from '../../helpers/postgres-server.js';
import { startTestService, type TestService } from '../../helpers/start-test-service.js';

/**
 * A database that takes no writes (set read-only, or a standby after a failover) is not
 * ready: /readyz answered 200 on `SELECT 1` while every write was a 503 (operator probe).
 */
const server = usePostgres(test);

async function asAdmin(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Waits (15 s at most) until /readyz answers `status`; returns its body. */
async function readiness(s: TestService, status: number): Promise<{ reason?: string }> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const res = await s.fetch('/readyz');
    const body = (await res.json()) as { reason?: string };
    if (res.status === status || Date.now() > deadline) {
      if (res.status !== status) throw new Error(`/readyz still ${res.status}: ${JSON.stringify(body)}`);
      return body;
    }
    await sleep(200);
  }
}

const ownSessions = (db: string) =>
  `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${db}' AND pid <> pg_backend_pid()`;

test('a database set read-only: /readyz 503 saying so while writes are refused; ready again once it takes writes', async (t) => {
  const url = await server().freshDatabase('readonlydb');
  const db = new URL(url).pathname.slice(1);
  const s = await startTestService(t, { env: { OFFERD_STORE: 'postgres', DATABASE_URL: url } });
  await readiness(s, 200);

  await asAdmin(url, `ALTER DATABASE ${db} SET default_transaction_read_only = on`);
  // The pool's sessions predate the setting: new ones take it.
  await asAdmin(server().url, ownSessions(db));
  const body = await readiness(s, 503);
  t.is(body.reason, 'the database takes no writes (read-only, or a standby): every write is refused');
  const write = await s.fetch('/v1/user-journeys/users', {
    method: 'POST',
    headers: { 'X-API-Key': 'pk_test_demo', 'Content-Type': 'application/json' },
    body: JSON.stringify({ externalId: 'ro-1' }),
  });
  t.is(write.status, 503);

  await asAdmin(server().url, `ALTER DATABASE ${db} RESET default_transaction_read_only`);
  await asAdmin(server().url, ownSessions(db));
  await readiness(s, 200);
});
