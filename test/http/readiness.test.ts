import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { hashApiKey } from '../../src/config/api-key.js';
import { copyOfShippedRules, writeRuleFile } from '../helpers/rules-fixture.js';
import { startTestService } from '../helpers/start-test-service.js';
import { tempDir } from '../helpers/temp-dir.js';

/** The shipped config (and its catalogs) copied, with a banner-only app `game3` added. */
async function configWithGame3(t: ExecutionContext): Promise<string> {
  const dir = await tempDir(t, 'offerd-config-');
  await cp('config', dir, { recursive: true });
  const file = path.join(dir, 'offerd.yaml');
  const game3 = [
    '  - id: game3',
    '    name: Game 3',
    '    status: active',
    '    keys:',
    '      - id: game3-banner',
    `        hash: ${hashApiKey('game3-key')}`,
    '        apis: [banner]',
    '',
  ].join('\n');
  await writeFile(file, `${await readFile(file, 'utf8')}${game3}`);
  return file;
}

/** game3's first rules: a Banner without its `settings`, so it never had valid rules. */
const BROKEN_BANNER = 'apiVersion: offerd/v1\nkind: Banner\nversion: 1\nspec:\n  experiments: []\n';

const banner = (key: string) => ({
  method: 'POST',
  headers: { Authorization: key, 'Content-Type': 'application/json' },
  body: JSON.stringify({ userId: 'u-1', offerId: '1' }),
});

test("one app's broken first rules leave the instance ready while another app serves, and /readyz names it", async (t) => {
  const rulesDir = await copyOfShippedRules(t);
  await writeRuleFile(rulesDir, 'game3', 'banner.yaml', BROKEN_BANNER);
  const s = await startTestService(t, {
    env: { OFFERD_CONFIG: await configWithGame3(t), OFFERD_RULES_DIR: rulesDir },
  });
  const ready = await s.fetch('/readyz');
  t.deepEqual(await ready.json(), {
    status: 'ready',
    reason: 'no valid rules yet for: game3',
    notServing: ['game3'],
  });
  t.is(ready.status, 200);
  t.is((await s.fetch('/getPersonalizedBanner', banner('demo-key'))).status, 200);
  const game3 = await s.fetch('/getPersonalizedBanner', banner('game3-key'));
  t.is(game3.status, 503);
  t.like(await game3.json(), { code: 'RULES_NOT_READY' });
});

test('with no active app serving rules /readyz is 503 and names them all', async (t) => {
  const rulesDir = await copyOfShippedRules(t);
  await writeRuleFile(rulesDir, 'game3', 'banner.yaml', BROKEN_BANNER);
  await writeRuleFile(rulesDir, 'demo', 'banner.yaml', BROKEN_BANNER);
  const s = await startTestService(t, {
    env: { OFFERD_CONFIG: await configWithGame3(t), OFFERD_RULES_DIR: rulesDir },
  });
  const ready = await s.fetch('/readyz');
  t.is(ready.status, 503);
  t.deepEqual(await ready.json(), {
    status: 'not ready',
    reason: 'no valid rules yet for: demo, game3',
    notServing: ['demo', 'game3'],
  });
});
