import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { hashApiKey } from '../../src/config/api-key.js';
import { ConfigError, loadConfig } from '../../src/config/load-config.js';
import { tempDir } from '../helpers/temp-dir.js';

test('the shipped config loads with the documented defaults', (t) => {
  const config = loadConfig({});
  t.is(config.port, 8080);
  t.is(config.rulesDir, 'rules');
  t.is(config.dataDir, 'data');
  t.is(config.store, 'lowdb');
  t.is(config.admin.token, 'demo-admin-token');
  t.true(config.admin.isDemoToken);
  const demo = config.apps.find((a) => a.id === 'demo');
  t.deepEqual(
    demo?.walls.map((w) => [w.id, w.publisherId]),
    [[1001, 1]],
  );
  const hashes = demo?.keys.map((k) => k.hash) ?? [];
  for (const key of ['demo-key', 'pk_live_demo', 'pk_test_demo'])
    t.true(hashes.includes(hashApiKey(key)), key);
  t.true(Object.isFrozen(config));
});

test('environment variables override', (t) => {
  const config = loadConfig({
    PORT: '9999',
    OFFERD_STORE: 'memory',
    OFFERD_ADMIN_TOKEN: 'a-long-secret',
    OFFERD_RULES_DIR: 'x',
  });
  t.is(config.port, 9999);
  t.is(config.store, 'memory');
  t.is(config.rulesDir, 'x');
  t.false(config.admin.isDemoToken);
});

test('bad environment values stop start-up with a clear message', (t) => {
  t.throws(() => loadConfig({ PORT: 'eighty' }), {
    instanceOf: ConfigError,
    message: /PORT must be an integer/,
  });
  t.throws(() => loadConfig({ OFFERD_STORE: 'mongo' }), {
    instanceOf: ConfigError,
    message: /OFFERD_STORE must be/,
  });
  t.throws(() => loadConfig({ OFFERD_STORE: 'postgres' }), {
    instanceOf: ConfigError,
    message: /DATABASE_URL/,
  });
  t.throws(() => loadConfig({ OFFERD_CONFIG: '/nonexistent.yaml' }), {
    instanceOf: ConfigError,
    message: /cannot read config/,
  });
});

test('an invalid config file is reported with file:line:col for every problem', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'offerd.yaml');
  await writeFile(
    file,
    [
      'apps:',
      '  - id: a',
      '    name: A',
      '    status: sleeping',
      '    keys:',
      '      - {id: k, hash: plain-text-key, apis: [banner]}',
      `      - {id: j, hash: "sha256:${'a'.repeat(64)}", apis: [journeys]}`,
      '  - id: a',
      '    name: again',
      '    status: active',
      '    keys: []',
      '',
    ].join('\n'),
  );
  const err = t.throws(() => loadConfig({ OFFERD_CONFIG: file }), { instanceOf: ConfigError });
  t.regex(err?.message ?? '', /offerd\.yaml:4:13 \/apps\/0\/status must be one of active, disabled/);
  t.regex(err?.message ?? '', /offerd\.yaml:6:\d+ \/apps\/0\/keys\/0\/hash must match pattern/);
  await writeFile(
    file,
    (await import('node:fs'))
      .readFileSync(file, 'utf8')
      .replace('sleeping', 'active')
      .replace('plain-text-key', `"${hashApiKey('x')}"`),
  );
  const cross = t.throws(() => loadConfig({ OFFERD_CONFIG: file }), { instanceOf: ConfigError });
  t.regex(cross?.message ?? '', /journeys key 'j' needs environment/);
  t.regex(cross?.message ?? '', /offerd\.yaml:8:\d+ duplicate app id 'a'/);
});
