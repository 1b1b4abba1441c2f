import test from 'ava';
import { launchBrowser, openConsole, watchedPage } from '../helpers/browser.js';
import { configWithBannerApp } from '../helpers/config-copy.js';
import { copyOfShippedRules, writeRuleFile } from '../helpers/rules-fixture.js';
import { startTestService } from '../helpers/start-test-service.js';

test('operations: an app without valid rules yet is named while the instance stays ready', async (t) => {
  const rulesDir = await copyOfShippedRules(t);
  await writeRuleFile(
    rulesDir,
    'game3',
    'banner.yaml',
    'apiVersion: offerd/v1\nkind: Banner\nversion: 1\nspec: {}\n',
  );
  const service = await startTestService(t, {
    env: { OFFERD_CONFIG: await configWithBannerApp(t, 'game3'), OFFERD_RULES_DIR: rulesDir },
  });
  const page = await watchedPage(t, await launchBrowser(t));
  await openConsole(page, service, '#/operations');
  await page.getByText('Ready, but no valid rules yet for: game3.').waitFor();
  t.pass();
});
