import test from 'ava';
import { runCli } from '../../src/cli/main.js';
import { startTestService } from '../helpers/start-test-service.js';
import { tempDir } from '../helpers/temp-dir.js';

const KEY = { 'X-API-Key': 'pk_test_demo', 'content-type': 'application/json' };

test.serial("offerd journeys generate creates offers in a stopped server's store", async (t) => {
  const dataDir = await tempDir(t, 'offerd-data-');
  const first = await startTestService(t, { env: { OFFERD_DATA_DIR: dataDir } });
  const post = (path: string, body: unknown) =>
    first.fetch(`/v1/user-journeys${path}`, { method: 'POST', headers: KEY, body: JSON.stringify(body) });
  t.true((await post('/users', { externalId: 'cli-newbie', displayName: 'New' })).ok);
  for (const eventType of ['game_played', 'game_played']) {
    const res = await post('/events', {
      externalId: 'cli-newbie',
      eventType,
      category: 'GAME_PLAY',
      points: 5,
    });
    t.true(res.ok);
  }
  await first.stop();

  const saved = { ...process.env };
  Object.assign(process.env, { OFFERD_DATA_DIR: dataDir, OFFERD_STORE: 'lowdb' });
  t.teardown(() => {
    process.env = saved;
  });
  const out: string[] = [];
  const code = await runCli(['journeys', 'generate', '--app', 'demo', '--environment', 'test'], {
    out: (l) => out.push(l),
    err: (l) => out.push(l),
  });
  t.is(code, 0, out.join('\n'));
  const report = JSON.parse(out.join('\n')) as { totals: { offersCreated: number; usersScanned: number } };
  t.is(report.totals.usersScanned, 1);
  t.true(report.totals.offersCreated > 0);

  const second = await startTestService(t, { env: { OFFERD_DATA_DIR: dataDir } });
  const offers = await second.fetch('/v1/user-journeys/users/cli-newbie/offers', { headers: KEY });
  const body = (await offers.json()) as { data: { offers: { offerType: string }[] } };
  t.true(
    body.data.offers.some((o) => o.offerType.startsWith('welcome_')),
    JSON.stringify(body),
  );
});

test.serial('offerd journeys generate refuses a bad environment', async (t) => {
  const err: string[] = [];
  const code = await runCli(['journeys', 'generate', '--environment', 'staging'], {
    out: () => {},
    err: (l) => err.push(l),
  });
  t.is(code, 2);
  t.deepEqual(err, [
    "offerd journeys: --environment must be live or test (got 'staging') (offerd journeys --help)",
  ]);
});
