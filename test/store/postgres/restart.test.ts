import { setTimeout as sleep } from 'node:timers/promises';
import anyTest, { type TestFn } from 'ava';
import pg from 'pg';
import { unscheduledConfig } from '../../helpers/offerd-process.js';
import { usePostgres } from '../../helpers/postgres-server.js';
import { startTestService, type TestService } from '../../helpers/start-test-service.js';
import { tempDir } from '../../helpers/temp-dir.js';

/**
 * The real PostgreSQL the helper started is stopped under a running instance and
 * started again: while it is down every API answers 503 in its own envelope, fast;
 * once it is back the instance serves again by itself, and no render count is lost.
 */
const test = anyTest as TestFn;
const server = usePostgres(test);

const JOURNEYS = { 'x-api-key': 'pk_test_demo', 'content-type': 'application/json' };

const requests = (s: TestService) => ({
  banner: () =>
    s.fetch('/getPersonalizedBanner', {
      method: 'POST',
      headers: { authorization: 'demo-key', 'content-type': 'application/json' },
      body: JSON.stringify({
        userId: 'restart',
        offerId: '8622',
        countryIso2: 'DE',
        languageIso2: 'de',
        level: 25,
      }),
    }),
  offerwall: () =>
    s.fetch('/api/v1/users/restart/personalized?wall=1001&numoffers=20&ip=5.9.0.1&device=android'),
  journeys: () => s.fetch('/v1/user-journeys/users/restart/offers', { headers: JOURNEYS }),
});

test('PostgreSQL stopped under load: 503 in each envelope, fast; back by itself when it returns', async (t) => {
  const config = await unscheduledConfig(await tempDir(t, 'offerd-config-'));
  const url = await server().freshDatabase('restart');
  const s = await startTestService(t, {
    env: {
      OFFERD_STORE: 'postgres',
      DATABASE_URL: url,
      OFFERD_CONFIG: config,
      OFFERD_PG_CONNECT_TIMEOUT_MS: '1000',
      OFFERD_PG_STATEMENT_TIMEOUT_MS: '2000',
    },
  });
  const call = requests(s);
  const created = await s.fetch('/v1/user-journeys/users', {
    method: 'POST',
    headers: JOURNEYS,
    body: JSON.stringify({ externalId: 'restart' }),
  });
  t.true(created.ok);
  for (const r of Object.values(call)) t.is((await r()).status, 200);
  // Renders counted in memory, not yet written when the server goes away.
  await Promise.all(Array.from({ length: 9 }, () => call.banner()));

  // Load through the restart: 8 clients rendering in a loop until told to stop.
  const seenStatuses = new Map<number, number>();
  let slowest503 = 0;
  let loading = true;
  const client = async () => {
    while (loading) {
      const t0 = Date.now();
      const res = await call.offerwall();
      await res.arrayBuffer();
      seenStatuses.set(res.status, (seenStatuses.get(res.status) ?? 0) + 1);
      if (res.status === 503) slowest503 = Math.max(slowest503, Date.now() - t0);
    }
  };
  // And writers: each event is a transaction, which holds its connection between
  // statements (a connection breaking there used to end the whole process).
  const writeStatuses = new Map<number, number>();
  const writer = async () => {
    while (loading) {
      const res = await s.fetch('/v1/user-journeys/track', {
        method: 'POST',
        headers: JOURNEYS,
        body: JSON.stringify({
          events: [{ externalId: 'restart', eventType: 'spin', category: 'GAME_PLAY' }],
        }),
      });
      await res.arrayBuffer();
      writeStatuses.set(res.status, (writeStatuses.get(res.status) ?? 0) + 1);
    }
  };
  const load = [...Array.from({ length: 8 }, client), ...Array.from({ length: 4 }, writer)];

  server().halt();
  const started = Date.now();
  const down = {
    banner: await call.banner(),
    offerwall: await call.offerwall(),
    journeys: await call.journeys(),
  };
  t.true(
    Date.now() - started < 6000,
    `three requests took ${Date.now() - started} ms with the database down`,
  );
  t.is(down.banner.status, 503);
  t.like(await down.banner.json(), { code: 'STORE_UNAVAILABLE' });
  t.is(down.offerwall.status, 503);
  t.like(await down.offerwall.json(), { status: 'failure', error: { code: 'STORE_UNAVAILABLE' } });
  t.is(down.journeys.status, 503);
  t.like(await down.journeys.json(), { status: 'error', code: 503 });
  // A load balancer takes the instance out while it cannot serve; the process itself is fine.
  const ready = await s.fetch('/readyz');
  t.is(ready.status, 503);
  t.like(await ready.json(), { status: 'not ready', reason: 'the database is unavailable' });
  t.is((await s.fetch('/healthz')).status, 200);

  server().resume();
  let back = 0;
  for (let i = 0; i < 100 && back !== 200; i++) {
    back = (await call.banner()).status;
    if (back !== 200) await sleep(100);
  }
  t.is(back, 200);
  for (const r of Object.values(call)) t.is((await r()).status, 200);
  // Its last answer is reused for a second at most.
  let readyAgain = 0;
  for (let i = 0; i < 30 && readyAgain !== 200; i++) {
    readyAgain = (await s.fetch('/readyz')).status;
    if (readyAgain !== 200) await sleep(100);
  }
  t.is(readyAgain, 200);
  loading = false;
  await Promise.all(load);
  // Under load: only answers or fast refusals, never a 500 or a hung request.
  t.deepEqual([...seenStatuses.keys()].sort(), [200, 503]);
  t.deepEqual([...writeStatuses.keys()].sort(), [201, 503]);
  t.true(slowest503 < 3000, `slowest 503 under load: ${slowest503} ms`);
  t.log(
    `under load: reads ${JSON.stringify(Object.fromEntries(seenStatuses))}, writes ${JSON.stringify(Object.fromEntries(writeStatuses))}, slowest 503 ${slowest503} ms`,
  );

  // 1 + 9 before the stop, 2 that succeeded after (a refused render counts nothing): none lost.
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  t.teardown(() => db.end());
  await sleep(1500);
  const { rows } = await db.query("SELECT renders FROM banner_users WHERE user_id = 'restart'");
  t.is(rows[0]?.renders, 12);
});
