import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { ConfigError, loadConfig } from '../../src/config/load-config.js';
import { tempDir } from '../helpers/temp-dir.js';

const app = (
  walls: string,
  offerwall = '    offerwall: { clickSecret: click-secret-0123456789, postbackSecret: postback-secret-0123456789 }\n',
) => `apps:\n  - id: a\n    name: A\n    status: active\n    keys: []\n${offerwall}    walls:\n${walls}`;

async function load(t: Parameters<typeof tempDir>[0], text: string) {
  const dir = await tempDir(t);
  const file = path.join(dir, 'offerd.yaml');
  await writeFile(file, text);
  return { dir, load: () => loadConfig({ OFFERD_CONFIG: file }) };
}

test('the demo wall ships a catalog file, resolved next to the config, and app secrets', (t) => {
  const demo = loadConfig({}).apps.find((a) => a.id === 'demo');
  t.is(demo?.walls[0]?.catalog, path.resolve('config/catalogs/demo-1001.json'));
  t.is(demo?.walls[0]?.feed, null);
  t.regex(demo?.offerwall?.clickSecret ?? '', /change-me/);
});

test('feed settings get their defaults', async (t) => {
  const { dir, load: read } = await load(
    t,
    app(
      '      - { id: 7, publisherId: 2, catalog: c.json, feed: { url: "https://f.example/o", schedule: "0 * * * *" } }\n',
    ),
  );
  const wall = read().apps[0]?.walls[0];
  t.is(wall?.catalog, path.join(dir, 'c.json'));
  t.deepEqual(wall?.feed, {
    url: 'https://f.example/o',
    apiKey: null,
    pageSize: 100,
    timeoutMs: 10000,
    retries: 2,
    backoffMs: 500,
    schedule: '0 * * * *',
  });
});

test('a bad cron, a wall with neither catalog nor feed, and walls without secrets are refused', async (t) => {
  const bad = await load(
    t,
    app(
      '      - { id: 7, publisherId: 2, feed: { url: "https://f.example/o", schedule: "every minute" } }\n      - { id: 8, publisherId: 2 }\n',
      '',
    ),
  );
  const err = t.throws(bad.load, { instanceOf: ConfigError });
  t.regex(err?.message ?? '', /feed\/schedule|invalid cron expression/);
  t.regex(err?.message ?? '', /wall 8 needs a catalog file or a feed/);
  t.regex(err?.message ?? '', /needs offerwall\.clickSecret and postbackSecret/);
});
