import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { hashApiKey } from '../../src/config/api-key.js';
import {
  ConfigError,
  isDemoSecret,
  listeningUrl,
  loadConfig,
  unsafeDefaults,
} from '../../src/config/load-config.js';
import { tempDir } from '../helpers/temp-dir.js';

const CATALOG = path.resolve('config/catalogs/demo-1001.json');
const GOOD = {
  admin: 'a-real-admin-token-0123456789',
  click: 'a-real-click-secret-0123456789',
  postback: 'a-real-postback-secret-0123456789',
  publicUrl: 'https://offers.example.com',
};

/** A config file like a production one; `change` replaces any of its values. */
async function configFile(
  t: Parameters<typeof tempDir>[0],
  change: Partial<typeof GOOD> & { walls?: boolean; keyHash?: string } = {},
): Promise<string> {
  const v = { ...GOOD, ...change };
  const file = path.join(await tempDir(t), 'offerd.yaml');
  await writeFile(
    file,
    [
      `admin: { token: ${v.admin} }`,
      v.publicUrl ? `http: { publicUrl: '${v.publicUrl}' }` : '',
      'apps:',
      '  - id: shop',
      '    name: Shop',
      '    status: active',
      change.keyHash ? `    keys: [{ id: k1, hash: '${change.keyHash}', apis: [banner] }]` : '    keys: []',
      `    offerwall: { clickSecret: ${v.click}, postbackSecret: ${v.postback} }`,
      change.walls === false ? '' : `    walls: [{ id: 7, publisherId: 1, catalog: ${CATALOG} }]`,
      '',
    ].join('\n'),
  );
  return file;
}

const production = (file: string, env: Record<string, string> = {}) =>
  loadConfig({ OFFERD_CONFIG: file, NODE_ENV: 'production', ...env });

test('production starts with secrets of its own and http.publicUrl', async (t) => {
  const config = production(await configFile(t));
  t.is(config.admin.token, GOOD.admin);
  t.deepEqual(unsafeDefaults(config), []);
});

test('production refuses the shipped config, naming every setting to change', (t) => {
  const err = t.throws(() => loadConfig({ NODE_ENV: 'production' }), { instanceOf: ConfigError });
  const message = err?.message ?? '';
  t.regex(message, /NODE_ENV=production/);
  for (const key of [
    'OFFERD_ADMIN_TOKEN',
    'apps[0].offerwall.clickSecret',
    'apps[0].offerwall.postbackSecret',
    'http.publicUrl',
    'apps[0].keys[0].hash',
    'apps[0].keys[1].hash',
    'apps[0].keys[2].hash',
  ]) {
    t.true(message.includes(key), `${key} in: ${message}`);
  }
});

test('production refuses a shipped demo API key; a key of its own starts', async (t) => {
  for (const key of ['demo-key', 'pk_live_demo', 'pk_test_demo']) {
    const file = await configFile(t, { keyHash: hashApiKey(key) });
    const err = t.throws(() => production(file), { instanceOf: ConfigError });
    t.regex(err?.message ?? '', /apps\[0\]\.keys\[0\]\.hash/);
  }
  const own = production(await configFile(t, { keyHash: hashApiKey('a-key-of-our-own-0123456789') }));
  t.deepEqual(unsafeDefaults(own), []);
});

const REFUSED: [string, Partial<typeof GOOD>, RegExp][] = [
  ['the demo admin token', { admin: 'demo-admin-token' }, /OFFERD_ADMIN_TOKEN \(or admin\.token in /],
  ['an admin token saying change-me', { admin: 'please-change-me-now' }, /OFFERD_ADMIN_TOKEN/],
  ['the demo click secret', { click: 'demo-click-secret-change-me' }, /apps\[0\]\.offerwall\.clickSecret/],
  ['a click secret saying changeme', { click: 'x-CHANGEME-0123456789' }, /apps\[0\]\.offerwall\.clickSecret/],
  [
    'the demo postback secret',
    { postback: 'demo-postback-secret-change-me' },
    /apps\[0\]\.offerwall\.postbackSecret of app 'shop'/,
  ],
  [
    'the demo click secret used as the postback secret',
    { postback: 'demo-click-secret-change-me' },
    /apps\[0\]\.offerwall\.postbackSecret/,
  ],
  ['no http.publicUrl with offer walls', { publicUrl: '' }, /http\.publicUrl is not set and app 'shop'/],
];

for (const [name, change, message] of REFUSED) {
  test(`production refuses ${name}; elsewhere it is a warning`, async (t) => {
    const file = await configFile(t, change);
    const err = t.throws(() => production(file), { instanceOf: ConfigError, message });
    t.is(err?.message.split('\n').length, 2, 'one problem, under the headline');
    t.true(err?.message.includes(file), 'says which file to edit');
    const dev = loadConfig({ OFFERD_CONFIG: file });
    t.deepEqual(
      unsafeDefaults(dev).map((u) => message.test(u.message)),
      [true],
    );
  });
}

test('production: OFFERD_ADMIN_TOKEN replaces a demo token in the file', async (t) => {
  const file = await configFile(t, { admin: 'demo-admin-token' });
  t.is(
    production(file, { OFFERD_ADMIN_TOKEN: 'from-the-environment-0123' }).admin.token,
    'from-the-environment-0123',
  );
});

test('production without offer walls needs no http.publicUrl', async (t) => {
  const file = await configFile(t, { publicUrl: '', walls: false });
  t.deepEqual(unsafeDefaults(production(file)), []);
});

test('demo secrets: the shipped values and anything saying change-me', (t) => {
  for (const s of [
    'demo-admin-token',
    'demo-click-secret-change-me',
    'demo-postback-secret-change-me',
    'ChangeMe!',
  ])
    t.true(isDemoSecret(s), s);
  for (const s of [GOOD.admin, GOOD.click, 'demo-but-real-0123456789']) t.false(isDemoSecret(s), s);
});

test('without http.publicUrl, links use the listening address, localhost for a wildcard host', (t) => {
  t.is(listeningUrl({ host: '0.0.0.0', port: 8080 }), 'http://localhost:8080');
  t.is(listeningUrl({ host: '::', port: 8080 }), 'http://localhost:8080');
  t.is(listeningUrl({ host: '127.0.0.1', port: 0 }, 4321), 'http://127.0.0.1:4321');
  t.is(listeningUrl({ host: '::1', port: 9 }), 'http://[::1]:9');
});

test('offerd exits with code 2 and says what to set when production meets the demo config', async (t) => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, NODE_ENV: 'production', OFFERD_ADMIN_TOKEN: '', PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const [code] = await once(child, 'exit');
  t.is(code, 2, stderr);
  t.regex(stderr, /offerd: invalid configuration/);
  t.regex(stderr, /set OFFERD_ADMIN_TOKEN/);
  t.regex(stderr, /apps\[0\]\.offerwall\.clickSecret of app 'demo'/);
});
