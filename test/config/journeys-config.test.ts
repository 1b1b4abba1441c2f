import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { hashApiKey } from '../../src/config/api-key.js';
import { ConfigError, loadConfig } from '../../src/config/load-config.js';
import { tempDir } from '../helpers/temp-dir.js';

const appWith = (journeys: string) => `apps:
  - id: game
    name: Game
    status: active
    keys:
      - { id: k, hash: "${hashApiKey('pk_test_x')}", apis: [journeys], environment: test }
${journeys}`;

async function configWith(t: Parameters<typeof tempDir>[0], journeys: string) {
  const file = path.join(await tempDir(t), 'offerd.yaml');
  await writeFile(file, appWith(journeys));
  return () => loadConfig({ OFFERD_CONFIG: file });
}

test('the journeys schedule: hourly by default, a cron expression, or off', async (t) => {
  t.is((await configWith(t, ''))().apps[0]?.journeys.schedule, '0 * * * *');
  t.is(
    (await configWith(t, '    journeys: { schedule: "*/15 * * * *" }\n'))().apps[0]?.journeys.schedule,
    '*/15 * * * *',
  );
  t.is((await configWith(t, '    journeys: { schedule: "off" }\n'))().apps[0]?.journeys.schedule, null);
  t.is(loadConfig({}).apps.find((a) => a.id === 'demo')?.journeys.schedule, '0 * * * *');
});

test('an invalid cron expression stops the config with its location', async (t) => {
  const load = await configWith(t, '    journeys: { schedule: "every hour" }\n');
  const err = t.throws(load, { instanceOf: ConfigError });
  t.regex(err?.message ?? '', /offerd\.yaml:7:27 invalid cron expression 'every hour'/);
});
