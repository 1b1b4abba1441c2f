import anyTest, { type TestFn } from 'ava';
import pg from 'pg';
import { openPostgresStore } from '../../../src/apis.js';
import { unscheduledConfig } from '../../helpers/offerd-process.js';
import { ADMIN, signedPostback } from '../../helpers/offerwall-service.js';
import { usePostgres } from '../../helpers/postgres-server.js';
import { startTestService } from '../../helpers/start-test-service.js';
import { tempDir } from '../../helpers/temp-dir.js';

/**
 * A database that refuses writes (default_transaction_read_only, as a standby after a failover
 * does: SQLSTATE 25006) under an instance: every write answered 500 INTERNAL (operator probe).
 * It is the store being unavailable for writes: 503 STORE_UNAVAILABLE in the API's envelope,
 * retry. An already migrated database starts read-only too (migrating writes nothing then).
 */
const test = anyTest as TestFn;
const server = usePostgres(test);

const JOURNEYS = { 'x-api-key': 'pk_test_demo', 'content-type': 'application/json' };
const KEY = { authorization: 'demo-key', 'content-type': 'application/json' };
const JSON_ADMIN = { ...ADMIN, 'content-type': 'application/json' };

test('a read-only database: every write answers 503 in its envelope, never a 500; reads still serve', async (t) => {
  const url = await server().freshDatabase('readonly');
  const migrated = await openPostgresStore(url);
  await migrated.close();
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  t.teardown(() => admin.end());
  const name = new URL(url).pathname.slice(1);
  await admin.query(`ALTER DATABASE ${name} SET default_transaction_read_only = on`);

  const s = await startTestService(t, {
    env: {
      OFFERD_STORE: 'postgres',
      DATABASE_URL: url,
      OFFERD_CONFIG: await unscheduledConfig(await tempDir(t, 'offerd-config-')),
    },
  });
  const post = (path: string, body: unknown, headers: Record<string, string>) =>
    s.fetch(path, { method: 'POST', headers, body: JSON.stringify(body) });
  const now = Math.floor(Date.now() / 1000);
  const writes = {
    track: [
      () =>
        post(
          '/track?ip=0&verbose=1',
          [{ event: 'x', properties: { distinct_id: 'ro-1', time: now, $insert_id: 'ro-a' } }],
          KEY,
        ),
      { status: 0 },
    ],
    engage: [() => post('/engage?verbose=1', [{ $distinct_id: 'ro-1', $set: { a: 1 } }], KEY), { status: 0 }],
    postback: [
      () =>
        s.fetch(
          `/api/v1/postback?${signedPostback({ uid: 'ro-1', offer: 10161, event: 'base', tx: 'ro-tx-1' })}`,
        ),
      { status: 'failure', error: { code: 'STORE_UNAVAILABLE' } },
    ],
    journeysUser: [
      () => post('/v1/user-journeys/users', { externalId: 'ro-2' }, JOURNEYS),
      { status: 'error', code: 503 },
    ],
    journeysEvent: [
      () =>
        post(
          '/v1/user-journeys/events',
          { externalId: 'ro-1', eventType: 'spin', category: 'GAME_PLAY', points: 1 },
          JOURNEYS,
        ),
      { status: 'error', code: 503 },
    ],
    adminBan: [
      () => post('/admin/apps/demo/bans', { type: 'user', value: 'ro-x', reason: 'probe' }, JSON_ADMIN),
      { error: { code: 'STORE_UNAVAILABLE' } },
    ],
    adminReload: [
      () => s.fetch('/admin/rules/reload', { method: 'POST', headers: ADMIN }),
      { error: { code: 'STORE_UNAVAILABLE' } },
    ],
    adminGenerate: [
      () =>
        s.fetch('/admin/apps/demo/journeys/generate?environment=test', { method: 'POST', headers: ADMIN }),
      { error: { code: 'STORE_UNAVAILABLE' } },
    ],
  } as const;
  for (const [what, [request, envelope]] of Object.entries(writes)) {
    const res = await request();
    const text = await res.text();
    t.is(res.status, 503, `${what}: ${res.status} ${text.slice(0, 200)}`);
    t.like(JSON.parse(text), envelope, what);
  }
  // A read serves from a read-only database as ever.
  const read = await s.fetch('/api/v1/users/ro-1/personalized?wall=1001&numoffers=2&ip=5.9.0.1');
  t.is(read.status, 200);
});
