import { cp, rm } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { runCli } from '../../src/cli/main.js';
import { configWithBannerApp } from '../helpers/config-copy.js';
import { copyOfShippedRules } from '../helpers/rules-fixture.js';
import { tempDir } from '../helpers/temp-dir.js';

test.serial(
  'offerd journeys generate for an app without Journeys rules says so and exits 2, as the admin route answers 404 (it printed nothing, exit 0)',
  async (t) => {
    const rulesDir = await copyOfShippedRules(t);
    await cp(path.join(rulesDir, 'demo'), path.join(rulesDir, 'game2'), { recursive: true });
    for (const f of ['journeys.yaml', 'journeys-offers.yaml', 'journeys-segments.yaml', 'tests']) {
      await rm(path.join(rulesDir, 'game2', f), { recursive: true, force: true });
    }
    const saved = { ...process.env };
    Object.assign(process.env, {
      OFFERD_CONFIG: await configWithBannerApp(t, 'game2'),
      OFFERD_RULES_DIR: rulesDir,
      OFFERD_DATA_DIR: await tempDir(t, 'offerd-data-'),
      OFFERD_STORE: 'lowdb',
    });
    t.teardown(() => {
      process.env = saved;
    });
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
    t.is(await runCli(['journeys', 'generate', '--app', 'game2'], io), 2);
    t.deepEqual(out, []);
    t.deepEqual(err, [
      `offerd journeys: no app 'game2' with Journeys rules in ${rulesDir} (offerd journeys --help)`,
    ]);
    // Every app: the one without is named on stderr, the others run.
    err.length = 0;
    t.is(await runCli(['journeys', 'generate', '--environment', 'test'], io), 0, err.join('\n'));
    t.deepEqual(err, ['game2: skipped: no Journeys rules']);
    t.like(JSON.parse(out.join('\n')), { appId: 'demo' });
  },
);
