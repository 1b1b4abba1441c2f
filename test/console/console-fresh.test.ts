import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { accessibilityViolations, launchBrowser, openConsole, watchedPage } from '../helpers/browser.js';
import { copyOfShippedRules } from '../helpers/rules-fixture.js';
import { ADMIN, startTestService, type TestService } from '../helpers/start-test-service.js';

/** A rules change going live as the watcher makes it: new files on disk, then a reload the page does not make. */
async function goLive(service: TestService, file: string, edit: (text: string) => string): Promise<void> {
  await writeFile(file, edit(await readFile(file, 'utf8')));
  const res = await service.fetch('/admin/rules/reload?app=demo', { method: 'POST', headers: ADMIN });
  if (res.status !== 200) throw new Error(`reload: ${res.status} ${await res.text()}`);
}

// The page polls every 10 s while visible: a change is on the page within one poll and its load.
const WITHIN_A_POLL = { timeout: 20_000 };

test('experiments: an open tab follows a rules change going live, and Refresh (by keyboard) reloads the users and says when', async (t) => {
  const rules = await copyOfShippedRules(t);
  const service = await startTestService(t, { env: { OFFERD_RULES_DIR: rules } });
  const page = await watchedPage(t, await launchBrowser(t));
  await openConsole(page, service, '#/experiments?app=demo&experiment=level-up-first-offer');
  const list = page.getByRole('table', { name: /Experiments of demo/ });
  const row = list.getByRole('row').filter({ has: page.getByRole('link', { name: 'level-up-first-offer' }) });
  const traffic = row.locator('td.num').first();
  await page.getByText(/^running, 50 % of traffic/).waitFor();
  t.is(await traffic.textContent(), '50 %');

  await goLive(service, path.join(rules, 'demo', 'banner.yaml'), (text) =>
    text.replace('version: 1', 'version: 2').replace('trafficAllocation: 50', 'trafficAllocation: 60'),
  );
  // The same tab, not reloaded: the list and the open results show the live allocation.
  await list.getByRole('row').filter({ hasText: '60 %' }).waitFor(WITHIN_A_POLL);
  await page.getByText(/^running, 60 % of traffic/).waitFor(WITHIN_A_POLL);
  const loaded = page.getByRole('status').filter({ hasText: /^Loaded / });
  await loaded.waitFor();

  // Users are not in the rules: a new champion player shows after Refresh, pressed from the keyboard.
  const champions = list
    .getByRole('row')
    .filter({ has: page.getByRole('link', { name: 'champion-spotlight' }) })
    .locator('td.num')
    .nth(1);
  t.is(await champions.textContent(), '0');
  const when = await loaded.textContent();
  const served = await service.fetch('/getPersonalizedBanner', {
    method: 'POST',
    headers: { Authorization: 'demo-key', 'content-type': 'application/json' },
    body: JSON.stringify({ userId: 'fresh-1', offerId: '8622', countryIso2: 'DE', activeChamp: 'ahri' }),
  });
  t.is(
    ((await served.json()) as { kibotuMetadata: { experimentId: string } }).kibotuMetadata.experimentId,
    'champion-spotlight',
  );
  // The status names the second: a later second tells this load from the last.
  await page.waitForTimeout(1100);
  const refresh = page.getByRole('button', { name: 'Refresh', exact: true });
  await refresh.focus();
  await page.keyboard.press('Enter');
  await page
    .getByRole('status')
    .filter({ hasText: /^Loaded / })
    .filter({ hasNotText: when ?? '' })
    .waitFor();
  t.is(await champions.textContent(), '1');
  t.deepEqual(await accessibilityViolations(page), []);
});

test('apps: an open tab shows the new version and hash once a change goes live, with a Refresh beside its load time', async (t) => {
  const rules = await copyOfShippedRules(t);
  const service = await startTestService(t, { env: { OFFERD_RULES_DIR: rules } });
  const page = await watchedPage(t, await launchBrowser(t));
  await openConsole(page, service, '#/apps');
  const card = page.getByRole('article', { name: 'demo' });
  const facts = card.locator('dl.facts');
  const old = service.registry.current('demo')?.hash ?? 'none';
  await facts.getByText(old, { exact: true }).waitFor();

  await goLive(
    service,
    path.join(rules, 'demo', 'banner.yaml'),
    (text) => `${text}\n# live while the tab is open\n`,
  );
  const live = service.registry.current('demo')?.hash ?? 'none';
  t.not(live, old);
  await facts.getByText(live, { exact: true }).waitFor(WITHIN_A_POLL);
  await page.getByRole('button', { name: 'Refresh', exact: true }).waitFor();
  await page
    .getByRole('status')
    .filter({ hasText: /^Loaded / })
    .waitFor();
  t.deepEqual(await accessibilityViolations(page), []);
});

// Focused check: a rollback confirmation left open while a change went live moved, with the
// auto-refresh, to another history row: confirming rolled back to a snapshot nobody chose.
test('apps: a rollback confirmation left open across an auto-refresh still rolls back to the snapshot it was opened for', async (t) => {
  const rules = await copyOfShippedRules(t);
  const service = await startTestService(t, { env: { OFFERD_RULES_DIR: rules } });
  const file = path.join(rules, 'demo', 'banner.yaml');
  const chosen = service.registry.current('demo')?.hash ?? 'none';
  for (const n of [1, 2]) await goLive(service, file, (text) => `${text}\n# change ${n}\n`);
  const page = await watchedPage(t, await launchBrowser(t));
  await openConsole(page, service, '#/apps');
  await page.getByRole('button', { name: `Roll back to ${chosen.slice(0, 12)}` }).click();
  const dialog = page.locator('dialog[open]');
  await dialog.waitFor();
  await goLive(service, file, (text) => `${text}\n# change 3, while the question is open\n`);
  const newest = service.registry.current('demo')?.hash ?? 'none';
  // The history shows the new activation: the page reloaded under the open dialog.
  await page
    .getByRole('table', { name: /History of demo/ })
    .getByTitle(newest)
    .first()
    .waitFor(WITHIN_A_POLL);
  t.regex((await dialog.textContent()) ?? '', new RegExp(chosen.slice(0, 12)));
  await dialog.getByRole('button', { name: 'Roll back' }).click();
  await page.getByText(/^Rolled back: demo serves/).waitFor();
  t.is(service.registry.current('demo')?.hash, chosen);
});
