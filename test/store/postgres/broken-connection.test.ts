import anyTest, { type TestFn } from 'ava';
import pg from 'pg';
import { openPostgresStore } from '../../../src/apis.js';
import { inTransaction } from '../../../src/store/postgres/migrate.js';
import { usePostgres } from '../../helpers/postgres-server.js';

/**
 * A connection that breaks while a transaction holds it (the server stopping, a failover,
 * an administrator's pg_terminate_backend) must fail that transaction, not the process:
 * pg-pool listens for a connection's 'error' only while it is idle, and an unheard
 * 'error' event ends Node. Two instances died that way on one PostgreSQL stop under load.
 */
const test = anyTest as TestFn;
const server = usePostgres(test);

test('a connection killed in the middle of a transaction fails that transaction; the store goes on', async (t) => {
  const url = await server().freshDatabase('broken');
  const store = await openPostgresStore(url, { max: 2 });
  t.teardown(() => store.close());
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  t.teardown(() => admin.end());

  const failed = await t.throwsAsync(
    inTransaction(store.pool, async (client) => {
      const { rows } = await client.query('SELECT pg_backend_pid() AS pid');
      // Not events.once: it listens for 'error' too, which is what the test is about.
      const ended = new Promise((resolve) => client.once('end', resolve));
      // Killed while idle in the transaction: no statement of ours is running to take the error.
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
      await ended;
      await client.query('SELECT 1');
    }),
  );
  t.regex(failed?.message ?? '', /terminat|not queryable|Connection/i);

  // The broken connection was discarded: the pool serves from a new one, and the store's
  // own transactions work again.
  t.is((await store.pool.query('SELECT 1 AS one')).rows[0].one, 1);
  const p = { appId: 'demo', environment: 'test' as const };
  const [stored] = await store.journeys.appendEvents(
    p,
    [
      {
        id: 'e-1',
        externalId: 'u1',
        clientEventId: null,
        category: 'GAME_PLAY',
        eventType: 'spin',
        points: 1,
        occurredAt: new Date().toISOString(),
        metadata: {},
      },
    ],
    new Date(),
    () => 'user-1',
  );
  t.false(stored?.duplicate);
});
