import { cp } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

/** The CLI run in `cwd` (a rules repository: rules/ and no config/), `env` on top. */
const offerd = (cwd: string, args: string[], env: Record<string, string> = {}) => runCli(args, { cwd, env });

test('in a rules repository without a config, offerd test says the app runs bare with no walls; with OFFERD_CONFIG (the recipe of docs/rules.md) every case passes', async (t) => {
  const repo = await tempDir(t, 'offerd-rules-repo-');
  await cp('rules', path.join(repo, 'rules'), { recursive: true });
  const bare = await offerd(repo, ['test', 'rules']);
  t.is(bare.code, 1, bare.stdout + bare.stderr);
  t.regex(
    bare.stderr,
    /demo: no config file \(config\/offerd\.yaml is missing, OFFERD_CONFIG unset\): the app runs bare, with no walls or keys, so its \d+ offerwall cases find no wall \(404 WALL_NOT_FOUND\); set OFFERD_CONFIG/,
  );
  // The deploy config, its catalog files beside it (paths in it are relative to the file).
  const configured = await offerd(repo, ['test', 'rules'], {
    OFFERD_CONFIG: path.resolve('config/offerd.yaml'),
  });
  t.is(configured.code, 0, configured.stdout + configured.stderr);
  t.notRegex(configured.stderr, /no config file/);
  t.regex(configured.stdout, /\d+ passed, 0 failed\s*$/);
});
