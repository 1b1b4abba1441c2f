import { cp, rm } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const offerd = (args: string[], env: Record<string, string> = {}) => runCli(args, { env });

test('validate and test read the config as the service does: a config named but missing, or refused, is exit 2 with its problem, never an empty app', async (t) => {
  const missing = { OFFERD_CONFIG: 'config/nope.yaml' };
  const production = { NODE_ENV: 'production' };
  const [validate, fixtures, refused] = await Promise.all([
    offerd(['validate', 'rules'], missing),
    offerd(['test', 'rules'], missing),
    offerd(['test', 'rules'], production),
  ]);
  t.is(validate.code, 2, validate.stdout + validate.stderr);
  t.regex(validate.stderr, /cannot read config config\/nope\.yaml/);
  t.is(fixtures.code, 2, fixtures.stdout + fixtures.stderr);
  t.regex(fixtures.stderr, /cannot read config config\/nope\.yaml/);
  // The shipped demo config's secrets, refused in production: named, not "wall 1001 not found".
  t.is(refused.code, 2, refused.stdout + refused.stderr);
  t.notRegex(refused.stdout + refused.stderr, /WALL_NOT_FOUND/);
  t.regex(refused.stderr, /production/i);
});

test('validate refuses rules that lack a kind the app’s APIs need, as the service does', async (t) => {
  const dir = await tempDir(t, 'offerd-rules-');
  await cp('rules', dir, { recursive: true });
  for (const f of ['journeys.yaml', 'journeys-offers.yaml', 'journeys-segments.yaml']) {
    await rm(path.join(dir, 'demo', f), { force: true });
  }
  const r = await offerd(['validate', dir]);
  t.is(r.code, 1, r.stdout + r.stderr);
  t.regex(r.stderr, /demo: kind Journeys missing: the journeys API needs it \(config: key /);
  t.notRegex(r.stdout, /demo: ok/);
});

test('a replay with nothing recorded says why and how to record, instead of a bare "0 replayed"', async (t) => {
  const dataDir = await tempDir(t, 'offerd-data-');
  const r = await offerd(['diff', '--replay', '--app', 'demo', 'rules', 'rules'], {
    OFFERD_DATA_DIR: dataDir,
  });
  t.regex(r.stdout, /^0 recorded decisions replayed/m, r.stdout + r.stderr);
  t.regex(r.stdout, /no recorded decisions yet: offerd records a sample .*OFFERD_DECISION_LOG_SAMPLE_RATE=1/);
});
