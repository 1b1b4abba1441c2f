import { setTimeout as sleep } from 'node:timers/promises';
import anyTest, { type TestFn } from 'ava';
import { unscheduledConfig } from '../../helpers/offerd-process.js';
import { usePostgres } from '../../helpers/postgres-server.js';
import { startTestService, type TestService } from '../../helpers/start-test-service.js';
import { tempDir } from '../../helpers/temp-dir.js';

/**
 * A database that hangs (its processes SIGSTOPped: a stalled host, a network partition) under a
 * running instance. statement_timeout is the server's and a hung server enforces nothing: a
 * request on a pooled connection used to wait as long as the hang. Now each API answers 503 in
 * its envelope within the statement timeout and the client's margin, and serves again by itself.
 */
const test = anyTest as TestFn;
const server = usePostgres(test);

const JOURNEYS = { 'x-api-key': 'pk_test_demo', 'content-type': 'application/json' };
const STATEMENT_TIMEOUT_MS = 1000;
/** statement timeout, the client's 1 s margin, and slack for a loaded host. */
const BOUND_MS = STATEMENT_TIMEOUT_MS + 1000 + 1500;
const FROZEN_MS = 9000;

const requests = (s: TestService) => ({
  banner: () =>
    s.fetch('/getPersonalizedBanner', {
      method: 'POST',
      headers: { authorization: 'demo-key', 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'frozen', offerId: '8622', countryIso2: 'DE', level: 25 }),
    }),
  offerwall: () => s.fetch('/api/v1/users/frozen/personalized?wall=1001&numoffers=5&ip=5.9.0.1'),
  journeys: () => s.fetch('/v1/user-journeys/users/frozen/offers', { headers: JOURNEYS }),
  // A write: a transaction, whose connection is held between statements.
  journeysTrack: () =>
    s.fetch('/v1/user-journeys/track', {
      method: 'POST',
      headers: JOURNEYS,
      body: JSON.stringify({ events: [{ externalId: 'frozen', eventType: 'spin', category: 'GAME_PLAY' }] }),
    }),
});

const envelopes = {
  banner: { code: 'STORE_UNAVAILABLE' },
  offerwall: { status: 'failure', error: { code: 'STORE_UNAVAILABLE' } },
  journeys: { status: 'error', code: 503 },
  journeysTrack: { status: 'error', code: 503 },
};

test('PostgreSQL frozen: requests on pooled connections answer 503 in their envelope within the timeout; the pool recovers', async (t) => {
  const config = await unscheduledConfig(await tempDir(t, 'offerd-config-'));
  const s = await startTestService(t, {
    env: {
      OFFERD_STORE: 'postgres',
      DATABASE_URL: await server().freshDatabase('frozen'),
      OFFERD_CONFIG: config,
      OFFERD_PG_CONNECT_TIMEOUT_MS: '1000',
      OFFERD_PG_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
    },
  });
  const call = requests(s);
  const created = await s.fetch('/v1/user-journeys/users', {
    method: 'POST',
    headers: JOURNEYS,
    body: JSON.stringify({ externalId: 'frozen' }),
  });
  t.true(created.ok);
  // Open several connections, idle in the pool when the database freezes.
  for (let i = 0; i < 3; i++)
    for (const res of await Promise.all(Object.values(call).flatMap((r) => [r(), r()]))) t.true(res.ok);

  server().freeze();
  // Whatever happens, the server runs again (on the old code the requests answer only then).
  const thawing = sleep(FROZEN_MS).then(() => server().thaw());
  t.teardown(() => server().thaw());
  const started = Date.now();
  // /readyz must not hang with the database: a probe has its own short timeout.
  const readiness = s.fetch('/readyz').then(async (res) => ({
    status: res.status,
    ms: Date.now() - started,
    body: await res.json(),
  }));
  const answers = await Promise.all(
    Object.entries(call).flatMap(([api, r]) =>
      [r(), r()].map(async (pending) => {
        const res = await pending;
        return {
          api: api as keyof typeof call,
          status: res.status,
          ms: Date.now() - started,
          body: await res.json(),
        };
      }),
    ),
  );
  t.log(answers.map((a) => `${a.api} ${a.status} ${a.ms} ms`).join(', '));
  for (const a of answers) {
    t.is(a.status, 503, `${a.api} answered ${a.status} after ${a.ms} ms with the database frozen`);
    t.true(a.ms < BOUND_MS, `${a.api} took ${a.ms} ms (bound ${BOUND_MS} ms)`);
    t.like(a.body, envelopes[a.api]);
  }

  const ready = await readiness;
  t.is(ready.status, 503);
  t.deepEqual(ready.body, { status: 'not ready', reason: 'the database did not answer within 1000 ms' });
  t.true(ready.ms < 1000 + 1500, `/readyz took ${ready.ms} ms with the database frozen`);

  await thawing;
  for (const [api, r] of Object.entries(call)) {
    let status = 0;
    for (let i = 0; i < 50 && status !== 200 && status !== 201; i++) {
      status = (await r()).status;
      if (status >= 300) await sleep(100);
    }
    t.true(status === 200 || status === 201, `${api} after the thaw: ${status}`);
  }
});
