import anyTest, { type ExecutionContext, type TestFn } from 'ava';
import pg from 'pg';
import { unscheduledConfig } from '../../helpers/offerd-process.js';
import { usePostgres } from '../../helpers/postgres-server.js';
import { startTestService, type TestService } from '../../helpers/start-test-service.js';
import { tempDir } from '../../helpers/temp-dir.js';

/**
 * The hot paths on PostgreSQL, counted by the instance's pool (/metrics): at most two
 * round trips per request, and no row written by a banner render (its counters are
 * written once a second, summed, by the render tally).
 */
const test = anyTest as TestFn;
const server = usePostgres(test);

async function postgresService(t: ExecutionContext): Promise<TestService> {
  const config = await unscheduledConfig(await tempDir(t, 'offerd-config-'));
  const url = await server().freshDatabase('trips');
  return startTestService(t, {
    env: {
      OFFERD_STORE: 'postgres',
      DATABASE_URL: url,
      OFFERD_CONFIG: config,
      // The decision log writes a sampled 1 % of requests after their answer (a snapshot read
      // and an insert): counted here it made the per-request bound flaky. It is off here, and
      // its cost is in docs/operations.md (decision log).
      OFFERD_DECISION_LOG_SAMPLE_RATE: '0',
      // Counts, not timings, are what this file checks: on a host at load ~20 the default 2 s
      // wait for a new connection once failed the service's start.
      OFFERD_PG_CONNECT_TIMEOUT_MS: '10000',
    },
  });
}

async function sent(s: TestService): Promise<{ roundTrips: number; statements: number }> {
  const text = await (await s.fetch('/metrics')).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  return {
    roundTrips: value('offerd_postgres_round_trips_total'),
    statements: value('offerd_postgres_statements_total'),
  };
}

/**
 * Round trips per request over `n` sequential requests of `call(i)`. Background work
 * runs meanwhile: the render tally's flush (1 a second) and the admin-action follower's
 * poll (2 a second), so three per started second are allowed for.
 */
async function perRequest(s: TestService, n: number, call: (i: number) => Promise<Response>) {
  const before = await sent(s);
  const started = Date.now();
  for (let i = 0; i < n; i++) {
    const res = await call(i);
    if (res.status !== 200) throw new Error(`status ${res.status}: ${await res.text()}`);
  }
  const background = 3 * (Math.ceil((Date.now() - started) / 1000) + 1);
  const after = await sent(s);
  return { roundTrips: after.roundTrips - before.roundTrips, n, background };
}

const banner = (s: TestService, userId: string) =>
  s.fetch('/getPersonalizedBanner', {
    method: 'POST',
    headers: { authorization: 'demo-key', 'content-type': 'application/json' },
    body: JSON.stringify({ userId, offerId: '8622', countryIso2: 'DE', languageIso2: 'de', level: 25 }),
  });

test('banner render: two round trips for a new user (read, assign), one for a returning one', async (t) => {
  const s = await postgresService(t);
  const first = await perRequest(s, 40, (i) => banner(s, `trip-${i}`));
  t.true(first.roundTrips <= 2 * first.n + first.background, JSON.stringify(first));
  const again = await perRequest(s, 40, (i) => banner(s, `trip-${i}`));
  t.true(again.roundTrips <= again.n + again.background, JSON.stringify(again));
});

test('banner renders write no row per request: counts arrive within a second, exact', async (t) => {
  const s = await postgresService(t);
  const served = await Promise.all(
    Array.from({ length: 30 }, async (_, i) => {
      const body = (await (await banner(s, `counted-${i % 3}`)).json()) as {
        kibotuMetadata: { experimentId: string };
      };
      return body.kibotuMetadata.experimentId;
    }),
  );
  const db = new pg.Client({ connectionString: s.config.databaseUrl ?? '' });
  await db.connect();
  t.teardown(() => db.end());
  const renders = async () =>
    Number((await db.query('SELECT sum(renders)::int AS n FROM banner_users')).rows[0]?.n ?? 0);
  let seen = await renders();
  for (let i = 0; i < 30 && seen < 30; i++) {
    await new Promise((r) => setTimeout(r, 100));
    seen = await renders();
  }
  t.is(seen, 30);
  const { rows } = await db.query('SELECT sum(exposures)::int AS n FROM banner_exposures');
  t.is(rows[0]?.n ?? 0, served.filter((id) => id !== '').length);
});

test('offerwall personalized and journeys offers: at most two round trips each', async (t) => {
  const s = await postgresService(t);
  const wall = await perRequest(s, 40, (i) =>
    s.fetch(`/api/v1/users/w${i}/personalized?wall=1001&numoffers=20&ip=5.9.0.1&device=android`),
  );
  t.true(wall.roundTrips <= 2 * wall.n + wall.background, JSON.stringify(wall));
  const key = { 'x-api-key': 'pk_test_demo', 'content-type': 'application/json' };
  for (let i = 0; i < 40; i++) {
    const res = await s.fetch('/v1/user-journeys/users', {
      method: 'POST',
      headers: key,
      body: JSON.stringify({ externalId: `j${i}` }),
    });
    t.true(res.ok, await res.text());
  }
  const offers = await perRequest(s, 40, (i) =>
    s.fetch(`/v1/user-journeys/users/j${i}/offers`, { headers: key }),
  );
  t.true(offers.roundTrips <= 2 * offers.n + offers.background, JSON.stringify(offers));
});

test('/readyz asks the database at most once a second, however often it is asked', async (t) => {
  const s = await postgresService(t);
  const before = await sent(s);
  const started = Date.now();
  // A flood of probes: 200 at once, then 200 one after another.
  const answers = await Promise.all(Array.from({ length: 200 }, () => s.fetch('/readyz')));
  for (let i = 0; i < 200; i++) answers.push(await s.fetch('/readyz'));
  const elapsed = Date.now() - started;
  const after = await sent(s);
  t.true(
    answers.every((a) => a.status === 200),
    `statuses ${[...new Set(answers.map((a) => a.status))].join(', ')}`,
  );
  // One ping per started second, plus the background work perRequest allows for.
  const allowed = 4 * (Math.ceil(elapsed / 1000) + 1);
  const trips = after.roundTrips - before.roundTrips;
  t.true(trips <= allowed, `${trips} round trips for 400 probes in ${elapsed} ms (allowed ${allowed})`);
});
