import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { runCli } from '../../src/cli/main.js';
import { seedEveryApi } from '../helpers/demo-data.js';
import { copyOfShippedRules } from '../helpers/rules-fixture.js';
import { ADMIN, startTestService } from '../helpers/start-test-service.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

// Account-manager probe: with a rollback in force the CLI explained a player under the files on
// disk (the rules rolled away from), saying only their hash, while the service served another.
test('offerd explain --user explains under the rollback in force, not the files it pins away, and says so', async (t) => {
  const dir = await copyOfShippedRules(t);
  const s = await startTestService(t, { env: { OFFERD_RULES_DIR: dir } });
  const data = await seedEveryApi(s.url);
  const rulesOf = async () =>
    (
      (await (await s.fetch('/admin/rules', { headers: ADMIN })).json()) as {
        apps: { active: { hash: string } }[];
      }
    ).apps[0]?.active.hash;
  const original = await rulesOf();
  const file = path.join(dir, 'demo', 'journeys.yaml');
  const text = await readFile(file, 'utf8');
  t.regex(text, /maxActivePerType: 1/);
  await writeFile(
    file,
    text.replace(/^version: \d+$/m, 'version: 40').replace(/maxActivePerType: 1/, 'maxActivePerType: 2'),
  );
  t.is((await s.fetch('/admin/rules/reload?app=demo', { method: 'POST', headers: ADMIN })).status, 200);
  const changed = await rulesOf();
  t.not(changed, original);
  const rollback = await s.fetch('/admin/rules/demo/rollback', {
    method: 'POST',
    headers: { ...ADMIN, 'Content-Type': 'application/json' },
    body: JSON.stringify({ hash: original }),
  });
  t.is(rollback.status, 200);
  await s.stop();

  process.env.OFFERD_DATA_DIR = s.config.dataDir;
  process.env.OFFERD_STORE = 'lowdb';
  process.env.OFFERD_RULES_DIR = dir;
  t.teardown(() => {
    for (const k of ['OFFERD_DATA_DIR', 'OFFERD_STORE', 'OFFERD_RULES_DIR']) delete process.env[k];
  });
  const c = capture();
  const argv = ['explain', '--app', 'demo', '--user', data.journeysUser, '--api', 'journeys'];
  t.is(await runCli(argv, c.io), 0, c.err.join('\n'));
  const explained = JSON.parse(c.out.join('\n'));
  t.is(explained.rules.hash, original, 'the pinned snapshot, as the service serves it');
  t.true(explained.decision.verdicts.includes('welcome_bonus=type_active'), 'its limit of one per type');
  t.regex(
    c.err.join('\n'),
    /explained under the rollback in force, snapshot [0-9a-f]{12}: the files on disk/,
  );

  // --rules DIR still explains under exactly those files.
  const d = capture();
  t.is(await runCli([...argv, '--rules', dir], d.io), 0, d.err.join('\n'));
  t.is(JSON.parse(d.out.join('\n')).rules.hash, changed);
});
