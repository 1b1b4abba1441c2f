import { cp, rm } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { configWithBannerApp } from '../helpers/config-copy.js';
import { copyOfShippedRules } from '../helpers/rules-fixture.js';
import { runCli } from '../helpers/run-cli.js';

const offerd = (args: string[], env: Record<string, string> = {}) => runCli(args, { env });

test("validate refuses an active app of the config without its rules folder, as the service does (it printed only the other apps' ok, exit 0)", async (t) => {
  const rules = await copyOfShippedRules(t);
  const config = await configWithBannerApp(t, 'game2');
  const r = await offerd(['validate', rules], { OFFERD_CONFIG: config });
  t.is(r.code, 1, r.stdout + r.stderr);
  t.regex(
    r.stderr,
    new RegExp(
      `${path.join(rules, 'game2').replaceAll('\\', '\\\\')}:1:1 the app's rules directory is missing \\(app 'game2' is active in `,
    ),
  );
  t.regex(r.stderr, /1 problem in /);
  // One app's folder, or --app, checks that app only: the others' folders are not its business.
  const one = await offerd(['validate', path.join(rules, 'demo')], { OFFERD_CONFIG: config });
  t.is(one.code, 0, one.stdout + one.stderr);
  const only = await offerd(['validate', rules, '--app', 'demo'], { OFFERD_CONFIG: config });
  t.is(only.code, 0, only.stdout + only.stderr);
});

test('validate warns of a rules folder of an app the config does not declare (a typo): nothing loads it', async (t) => {
  const rules = await copyOfShippedRules(t);
  await cp(path.join(rules, 'demo'), path.join(rules, 'gmae2'), { recursive: true });
  await rm(path.join(rules, 'gmae2', 'tests'), { recursive: true });
  // The shipped config: demo only. The folder's rules are valid, so a warning, exit 0.
  const r = await offerd(['validate', rules]);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(
    r.stderr,
    /gmae2:1:1 warning: no app 'gmae2' in config\/offerd\.yaml \(a typo\? apps: demo\): the service loads no rules from this folder/,
  );
  t.regex(r.stdout, /^demo: ok/m);
});
