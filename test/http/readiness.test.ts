import test from 'ava';
import { configWithBannerApp } from '../helpers/config-copy.js';
import { copyOfShippedRules, writeRuleFile } from '../helpers/rules-fixture.js';
import { startTestService } from '../helpers/start-test-service.js';

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
    env: { OFFERD_CONFIG: await configWithBannerApp(t, 'game3'), OFFERD_RULES_DIR: rulesDir },
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
    env: { OFFERD_CONFIG: await configWithBannerApp(t, 'game3'), OFFERD_RULES_DIR: rulesDir },
  });
  const ready = await s.fetch('/readyz');
  t.is(ready.status, 503);
  t.deepEqual(await ready.json(), {
    status: 'not ready',
    reason: 'no valid rules yet for: demo, game3',
    notServing: ['demo', 'game3'],
  });
});
