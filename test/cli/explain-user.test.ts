import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { runCli } from '../../src/cli/main.js';
import { seedEveryApi } from '../helpers/demo-data.js';
import { copyOfShippedRules } from '../helpers/rules-fixture.js';
import { startTestService } from '../helpers/start-test-service.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

test("offerd explain --user reads the stopped server's store; --rules DIR explains under draft rules", async (t) => {
  const s = await startTestService(t);
  const data = await seedEveryApi(s.url);
  await s.stop();
  // The CLI reads the same environment as `offerd serve`: this worker's, for this file only.
  process.env.OFFERD_DATA_DIR = s.config.dataDir;
  process.env.OFFERD_STORE = 'lowdb';
  const c = capture();
  t.is(await runCli(['explain', '--app', 'demo', '--user', data.journeysUser], c.io), 0, c.err.join('\n'));
  const shipped = JSON.parse(c.out.join('\n'));
  t.is(shipped.api, 'journeys', 'only the API that stored the user is explained');
  t.is(shipped.decision.totalPlays, 2);
  t.true(shipped.decision.verdicts.includes('welcome_bonus=type_active'));

  // A draft allowing two active offers per type: the blocked type would get a second offer.
  const draft = await copyOfShippedRules(t);
  const file = path.join(draft, 'demo', 'journeys.yaml');
  const text = await readFile(file, 'utf8');
  t.regex(text, /maxActivePerType: 1/);
  await writeFile(file, text.replace(/maxActivePerType: 1/, 'maxActivePerType: 2'));
  const d = capture();
  const argv = [
    'explain',
    '--app',
    'demo',
    '--user',
    data.journeysUser,
    '--api',
    'journeys',
    '--rules',
    draft,
  ];
  t.is(await runCli(argv, d.io), 0, d.err.join('\n'));
  const drafted = JSON.parse(d.out.join('\n'));
  t.not(drafted.rules.hash, shipped.rules.hash);
  t.false(drafted.decision.verdicts.includes('welcome_bonus=type_active'));
  // Without --rules: the rules the service serves (OFFERD_RULES_DIR), not ./rules.
  process.env.OFFERD_RULES_DIR = draft;
  t.teardown(() => {
    delete process.env.OFFERD_RULES_DIR;
  });
  const served = capture();
  t.is(await runCli(argv.slice(0, -2), served.io), 0, served.err.join('\n'));
  t.is(JSON.parse(served.out.join('\n')).rules.hash, drafted.rules.hash);
  delete process.env.OFFERD_RULES_DIR;

  // An offerwall player without --request: explained with the console's 10 offers, not a 400.
  const wall = capture();
  t.is(
    await runCli(['explain', '--app', 'demo', '--user', data.offerwallUid, '--api', 'offerwall'], wall.io),
    0,
  );
  const walled = JSON.parse(wall.out.join('\n'));
  // Decided (no ip: no country, so every offer is dropped for it), not refused for numoffers.
  t.not(walled.decision.status, 400, JSON.stringify(walled.decision));
  t.deepEqual(walled.decision.dropped, { country: 240 });

  const missing = capture();
  t.is(await runCli(['explain', '--app', 'demo', '--user', 'nobody'], missing.io), 2);
  // It names the store it read: a wrong OFFERD_DATA_DIR otherwise reads as "no such user";
  // and how to see the offerwall's decision, which it makes for any uid.
  t.deepEqual(missing.err, [
    `offerd explain: no stored user 'nobody' in app 'demo' in the lowdb store in ${s.config.dataDir} (OFFERD_DATA_DIR); the offerwall stores a uid only once it clicks or gets a postback: --api offerwall explains its decision for any uid (offerd explain --help)`,
  ]);
  // Asked for the offerwall, a uid it never stored is explained with no progress, and says so.
  const unstored = capture();
  const unstoredArgs = ['explain', '--app', 'demo', '--user', 'w-3', '--api', 'offerwall'];
  t.is(await runCli(unstoredArgs, unstored.io), 0, unstored.err.join('\n'));
  const fresh = JSON.parse(unstored.out.join('\n'));
  t.is(fresh.api, 'offerwall');
  t.is(fresh.user.stored, false);
  t.regex(fresh.user.note, /^no clicks or postbacks recorded for this user yet/);
  t.not(fresh.decision.status, 400, JSON.stringify(fresh.decision));
  // Banner and journeys store their users: still not found there.
  const banner = capture();
  t.is(await runCli(['explain', '--app', 'demo', '--user', 'w-3', '--api', 'banner'], banner.io), 2);
});
