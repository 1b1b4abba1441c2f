import { setTimeout as sleep } from 'node:timers/promises';
import test from 'ava';
import pg from 'pg';
import { countedPool } from '../../../src/store/postgres/counted-pool.js';
import { DatabaseHealth } from '../../../src/store/postgres/database-health.js';
import { inTransaction } from '../../../src/store/postgres/migrate.js';
import { usePostgres } from '../../helpers/postgres-server.js';

/**
 * A session keeps the read-only setting it started with: after `ALTER DATABASE … RESET
 * default_transaction_read_only` a pooled session (kept alive by the admin-action poll)
 * refused every write and said "read-only" to /readyz for good (a focused probe). One
 * session in the pool, so a kept one would be the one asked again.
 */
const server = usePostgres(test);

async function asAdmin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: server().url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

test('a session that said read-only is discarded: once the database takes writes again, the next write and readiness see it', async (t) => {
  const url = await server().freshDatabase('rosessions');
  const db = new URL(url).pathname.slice(1);
  await asAdmin(`ALTER DATABASE ${db} SET default_transaction_read_only = on`);
  const { pool } = countedPool({ url, max: 1, statementTimeoutMs: 0, connectionTimeoutMs: 5000 });
  t.teardown(() => pool.end());
  // The terminated idle session below reports through the pool (the service logs it).
  pool.on('error', () => undefined);
  const health = new DatabaseHealth(pool, { maxAgeMs: 0 });
  const write = () => inTransaction(pool, (c) => c.query('CREATE TABLE IF NOT EXISTS probe (x int)'));

  t.is(
    await health.check(),
    'the database takes no writes (read-only, or a standby): every write is refused',
  );
  await t.throwsAsync(write(), { message: /read-only transaction/ });
  await asAdmin(`ALTER DATABASE ${db} RESET default_transaction_read_only`);
  await sleep(10);
  t.is(await health.check(), null, 'readiness asks a new session');
  // The health check's session said writable: a write then goes through on it.
  await t.notThrowsAsync(write());

  // The same for a write that meets a read-only session first.
  await asAdmin(`ALTER DATABASE ${db} SET default_transaction_read_only = on`);
  await asAdmin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${db}'`);
  await t.throwsAsync(write());
  await t.throwsAsync(write(), { message: /read-only transaction/ });
  await asAdmin(`ALTER DATABASE ${db} RESET default_transaction_read_only`);
  await t.notThrowsAsync(write(), 'the refusing session was discarded');
});
