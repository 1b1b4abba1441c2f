import path from 'node:path';
import test from 'ava';
import { writeConfig } from '../bench/bench-env.js';
import { loadConfig, unsafeDefaults } from '../src/config/load-config.js';
import { tempDir } from './helpers/temp-dir.js';

// The benchmark starts the service as NODE_ENV=production: its config must be one production accepts.
test('the benchmark config passes the production checks', async (t) => {
  const file = await writeConfig(await tempDir(t), path.resolve('config/catalogs/demo-1001.json'));
  const config = loadConfig({ OFFERD_CONFIG: file, NODE_ENV: 'production' });
  t.deepEqual(unsafeDefaults(config), []);
});
