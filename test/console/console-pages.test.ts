import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { accessibilityViolations, launchBrowser, openConsole, watchedPage } from '../helpers/browser.js';
import { addShadowedBanner, copyOfShippedRules } from '../helpers/rules-fixture.js';
import { ADMIN, startTestService } from '../helpers/start-test-service.js';
import { tempDir } from '../helpers/temp-dir.js';

const TOKEN = 'demo-admin-token';

test('a wrong token is refused on the login form; the right one opens the console and stays out of the URL', async (t) => {
  const service = await startTestService(t);
  const page = await watchedPage(t, await launchBrowser(t));
  await page.goto(`${service.url}/console`);
  await page.getByLabel('Admin token').fill('not-the-token');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: 'That admin token was refused.' }).waitFor();
  await page.getByLabel('Admin token').fill(TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'demo' }).waitFor();
  t.false(page.url().includes(TOKEN), 'the token is not in the URL');
  t.is(await page.evaluate("sessionStorage.getItem('offerd.adminToken')"), TOKEN);
  await page.reload();
  await page.getByRole('heading', { name: 'demo' }).waitFor();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('Admin token').waitFor();
  t.is(await page.evaluate("sessionStorage.getItem('offerd.adminToken')"), null);
});

test('the console is served with a strict CSP, its files only, and no way out of its folder', async (t) => {
  const service = await startTestService(t);
  const res = await service.fetch('/console');
  t.is(res.status, 200);
  t.regex(res.headers.get('content-security-policy') ?? '', /default-src 'none'; script-src 'self' 'sha256-/);
  t.is(res.headers.get('x-content-type-options'), 'nosniff');
  for (const name of [
    'app.js',
    'vendor/preact.mjs',
    'vendor/preact-hooks.mjs',
    'vendor/htm.mjs',
    'console.css',
  ]) {
    t.is((await service.fetch(`/console/${name}`)).status, 200, name);
  }
  for (const bad of [
    '/console/..%2fpackage.json',
    '/console/%2e%2e/package.json',
    '/console/vendor/../../src/main.ts',
  ]) {
    const r = await service.fetch(bad);
    t.is(r.status, 404, bad);
    t.is(((await r.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
  }
});

test('apps: the live version and hash, a refused change with file:line:col, and a rollback after confirmation', async (t) => {
  const rulesDir = await copyOfShippedRules(t);
  const service = await startTestService(t, { env: { OFFERD_RULES_DIR: rulesDir } });
  const banner = path.join(rulesDir, 'demo', 'banner.yaml');
  const original = await readFile(banner, 'utf8');
  // A second good version, so the history has something to roll back to.
  await writeFile(banner, `${original}\n# a comment: new content, new hash\n`);
  t.is((await service.fetch('/admin/rules/reload?app=demo', { method: 'POST', headers: ADMIN })).status, 200);
  const first = service.registry.status()[0]?.history.at(-1);
  // Then a broken one, refused.
  await writeFile(banner, original.replace(/^kind: Banner$/m, 'kind: Banner\nnot_a_field: 1'));
  t.is((await service.fetch('/admin/rules/reload?app=demo', { method: 'POST', headers: ADMIN })).status, 422);

  const page = await watchedPage(t, await launchBrowser(t));
  await openConsole(page, service, '#/apps');
  const card = page.getByRole('article', { name: 'demo' });
  const live = service.registry.current('demo');
  // In the card's facts (the history shows it too, beside the version).
  await card
    .locator('dl.facts')
    .getByText(live?.hash ?? 'no live hash', { exact: true })
    .waitFor();
  const refused = card.getByRole('region', { name: 'Last error' });
  await refused
    .getByText(/banner\.yaml:\d+:\d+/)
    .first()
    .waitFor();
  t.truthy(first);
  // The newest entry shows the line the edit added, as a content diff.
  await card.getByText('Diff').first().click();
  await card.getByText('+# a comment: new content, new hash').first().waitFor();
  await card.getByRole('button', { name: `Roll back to ${first?.hash.slice(0, 12)}` }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: 'Roll back' }).click();
  await card.getByRole('region', { name: 'Pinned' }).waitFor();
  t.is(service.registry.current('demo')?.hash, first?.hash, 'the service serves the version rolled back to');
  // Focus is on what happened, not on another row's "Roll back to …" button.
  await card
    .getByRole('status')
    .filter({ hasText: `Rolled back: demo serves ${first?.hash.slice(0, 12)}` })
    .waitFor();
  t.regex(String(await page.evaluate('document.activeElement?.textContent')), /^Rolled back: demo serves /);
  t.deepEqual(await accessibilityViolations(page), []);
});

test('apps: a rule that can never fire is listed under the app as a warning at file:line:col, and it serves', async (t) => {
  const rulesDir = await copyOfShippedRules(t);
  await addShadowedBanner(rulesDir);
  const service = await startTestService(t, { env: { OFFERD_RULES_DIR: rulesDir } });
  const page = await watchedPage(t, await launchBrowser(t));
  await openConsole(page, service, '#/apps');
  const card = page.getByRole('article', { name: 'demo' });
  const warnings = card.getByRole('region', { name: 'Warnings' });
  await warnings.getByRole('heading', { name: '1 warning in the serving rules' }).waitFor();
  const item = warnings.getByRole('listitem');
  t.is(await item.count(), 1);
  t.regex(
    (await item.textContent()) ?? '',
    /demo\/banner\.yaml:107:7 banner 'payer-hero-copy' can never fire: banner 'payer-hero' \(.*banner\.yaml:102:7\) comes first/,
  );
  // A warning is not a refusal: the card says no error and the app serves.
  await card.getByText('No error: the files on disk are what serves.').waitFor();
  t.truthy(service.registry.current('demo'));
  t.deepEqual(await accessibilityViolations(page), []);
});

test('apps: snapshots that share a version are told apart by hash; one serving badge, rollback buttons name the hash', async (t) => {
  const rulesDir = await copyOfShippedRules(t);
  const service = await startTestService(t, { env: { OFFERD_RULES_DIR: rulesDir } });
  const banner = path.join(rulesDir, 'demo', 'banner.yaml');
  const original = await readFile(banner, 'utf8');
  const reload = async () => {
    const res = await service.fetch('/admin/rules/reload?app=demo', { method: 'POST', headers: ADMIN });
    return ((await res.json()) as { outcomes: { result: string; warnings?: string[] }[] }).outcomes[0];
  };
  // Two edits, neither bumping banner.yaml's version: three snapshots, one version string.
  await writeFile(banner, `${original}\n# first edit\n`);
  const edited = await reload();
  t.is(edited?.result, 'activated', 'an unbumped edit still goes live');
  t.regex(edited?.warnings?.[0] ?? '', /banner\.yaml:\d+:1 content changed but version \d+ was not bumped/);
  await writeFile(banner, `${original}\n# second edit\n`);
  t.is((await reload())?.result, 'activated');
  const history = service.registry.status()[0]?.history ?? [];
  t.is(history.length, 3);
  t.is(new Set(history.map((e) => e.version)).size, 1, 'every snapshot has the same version');
  const short = (e: (typeof history)[number] | undefined) => e?.hash.slice(0, 12) ?? 'no hash';

  const page = await watchedPage(t, await launchBrowser(t));
  await openConsole(page, service, '#/apps');
  const card = page.getByRole('article', { name: 'demo' });
  const rows = card.getByRole('table').getByRole('row');
  await rows.nth(3).waitFor();
  // Each row (after the header) shows its own snapshot's hash beside the version.
  const texts = await rows.allTextContents();
  history.forEach((e, i) => {
    t.true(texts[i + 1]?.includes(short(e)), texts[i + 1]);
  });
  t.is(await card.getByText('serving', { exact: true }).count(), 1, 'exactly one snapshot serves');
  t.is(await rows.nth(1).getByText('serving', { exact: true }).count(), 1);
  const buttons = await card.getByRole('button', { name: /^Roll back to / }).allTextContents();
  t.deepEqual(buttons, [`Roll back to ${short(history[1])}`, `Roll back to ${short(history[2])}`]);
  // The unbumped edit is among the warnings shown under the app.
  await card
    .getByRole('region', { name: 'Warnings' })
    .getByText(/banner\.yaml:\d+:1 content changed but version \d+ was not bumped/)
    .waitFor();

  // Back to the start's files: the history holds them twice, and only the newest serves.
  await card.getByRole('button', { name: `Roll back to ${short(history[2])}` }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Roll back' }).click();
  await card.getByRole('region', { name: 'Pinned' }).waitFor();
  t.is(service.registry.current('demo')?.hash, history[2]?.hash);
  // The files on disk (the second edit) are valid but wait for a reload: the card must not
  // say they are what serves right above "Files on disk (…) differ from what serves".
  await card.getByText(/Files on disk \(\w+\) differ from what serves/).waitFor();
  await card
    .getByText(
      `No error: the files on disk are valid, but they do not serve while ${short(history[2])} is pinned.`,
    )
    .waitFor();
  t.is(await card.getByText('the files on disk are what serves', { exact: false }).count(), 0);
  await rows.nth(4).waitFor();
  t.true(((await rows.nth(1).textContent()) ?? '').includes(short(history[2])));
  t.is(await card.getByText('serving', { exact: true }).count(), 1, 'still exactly one snapshot serves');
  t.is(await rows.nth(1).getByText('serving', { exact: true }).count(), 1);
  t.is(await rows.nth(4).getByText('same files as serving').count(), 1);
  t.deepEqual(await card.getByRole('button', { name: /^Roll back to / }).allTextContents(), [
    `Roll back to ${short(history[0])}`,
    `Roll back to ${short(history[1])}`,
  ]);
  t.deepEqual(await accessibilityViolations(page), []);
});

test('apps: cancelling the confirmation rolls nothing back', async (t) => {
  const rulesDir = await copyOfShippedRules(t);
  const service = await startTestService(t, { env: { OFFERD_RULES_DIR: rulesDir } });
  const banner = path.join(rulesDir, 'demo', 'banner.yaml');
  await writeFile(banner, `${await readFile(banner, 'utf8')}\n# changed\n`);
  await service.fetch('/admin/rules/reload?app=demo', { method: 'POST', headers: ADMIN });
  const serving = service.registry.current('demo')?.hash;
  const older = service.registry.status()[0]?.history.at(-1)?.hash.slice(0, 12) ?? '';
  const page = await watchedPage(t, await launchBrowser(t));
  await openConsole(page, service, '#/apps');
  await page.getByRole('button', { name: `Roll back to ${older}` }).click();
  await page.keyboard.press('Escape');
  await page.getByRole('dialog').waitFor({ state: 'hidden' });
  t.is(service.registry.current('demo')?.hash, serving);
  t.is(await page.getByRole('region', { name: 'Pinned' }).count(), 0);
});

test('operations: readiness, metrics, and the journeys job run from a button, its run listed', async (t) => {
  const service = await startTestService(t);
  const page = await watchedPage(t, await launchBrowser(t));
  await openConsole(page, service, '#/operations');
  await page.getByText('Ready: rules and store serve.').waitFor();
  await page.getByRole('row', { name: /Requests served/ }).waitFor();
  await page.getByRole('button', { name: "Run demo's journeys job now" }).click();
  await page
    .getByRole('table', { name: 'Last runs, newest first' })
    .getByRole('cell', { name: 'admin' })
    .waitFor();
  const runs = (await (await service.fetch('/admin/apps/demo/journeys/runs', { headers: ADMIN })).json()) as {
    runs: { trigger: string }[];
  };
  t.deepEqual(
    runs.runs.map((r) => r.trigger),
    ['admin'],
  );
  t.deepEqual(await accessibilityViolations(page), []);
});

test('every page is usable by keyboard, and on a 360 px screen nothing overflows sideways', async (t) => {
  const service = await startTestService(t);
  const browser = await launchBrowser(t);
  const page = await watchedPage(t, browser, { width: 360, height: 740 });
  await openConsole(page, service);
  for (const name of ['Apps', 'Experiments', 'Explain a player', 'Impact of a change', 'Operations']) {
    const link = page.getByRole('link', { name, exact: true });
    await link.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name }).waitFor();
    t.is(await link.getAttribute('aria-current'), 'page', name);
    const overflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    t.true(overflow <= 0, `${name} overflows by ${overflow} px`);
    if (name === 'Experiments') {
      // A results page: its wide tables scroll inside themselves, so each must take keyboard focus.
      await page.getByRole('link', { name: 'payer-upsell' }).click();
      await page.getByRole('heading', { level: 2, name: 'payer-upsell' }).waitFor();
    }
    t.deepEqual(await accessibilityViolations(page), [], `${name} at 360 px`);
  }
  // The skip link is the first stop of the keyboard and moves focus to the content.
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'Operations' }).waitFor();
  await page.keyboard.press('Tab');
  t.is(await page.evaluate('document.activeElement?.textContent'), 'Skip to content');
  await page.keyboard.press('Enter');
  t.is(await page.evaluate('document.activeElement?.id'), 'content');
});

test('apps: rules served before this instance started are listed as kept by the store, and a rollback to them pins them', async (t) => {
  const rulesDir = await copyOfShippedRules(t);
  const env = {
    OFFERD_RULES_DIR: rulesDir,
    OFFERD_DATA_DIR: await tempDir(t, 'offerd-data-'),
    OFFERD_STORE: 'lowdb',
  };
  const before = await startTestService(t, { env });
  const served = before.registry.current('demo')?.hash ?? 'no hash';
  await before.stop();
  // A deploy: new files, a new process.
  const banner = path.join(rulesDir, 'demo', 'banner.yaml');
  await writeFile(banner, `${await readFile(banner, 'utf8')}\n# deployed\n`);
  const service = await startTestService(t, { env });
  t.not(service.registry.current('demo')?.hash, served);

  const page = await watchedPage(t, await launchBrowser(t));
  await openConsole(page, service, '#/apps');
  const card = page.getByRole('article', { name: 'demo' });
  const kept = card.getByRole('table', { name: /Kept by the store/ });
  await kept.getByRole('button', { name: `Roll back to ${served.slice(0, 12)}` }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Roll back' }).click();
  await card.getByRole('region', { name: 'Pinned' }).waitFor();
  t.is(service.registry.current('demo')?.hash, served, 'the rules before the deploy serve again');
  t.deepEqual(await accessibilityViolations(page), []);
});

test('apps: after a rollback the refused files on disk still show as refused, with their problems, also after a restart', async (t) => {
  const rulesDir = await copyOfShippedRules(t);
  const env = {
    OFFERD_RULES_DIR: rulesDir,
    OFFERD_DATA_DIR: await tempDir(t, 'offerd-data-'),
    OFFERD_STORE: 'lowdb',
  };
  const before = await startTestService(t, { env });
  const first = before.registry.current('demo');
  const banner = path.join(rulesDir, 'demo', 'banner.yaml');
  const original = await readFile(banner, 'utf8');
  await writeFile(banner, `${original}\n# a second good snapshot\n`);
  t.is((await before.fetch('/admin/rules/reload?app=demo', { method: 'POST', headers: ADMIN })).status, 200);
  // A refused change, then the emergency way back.
  await writeFile(banner, original.replace(/^kind: Banner$/m, 'kind: Banner\nnot_a_field: 1'));
  t.is((await before.fetch('/admin/rules/reload?app=demo', { method: 'POST', headers: ADMIN })).status, 422);
  const rollback = await before.fetch('/admin/rules/demo/rollback', {
    method: 'POST',
    headers: { ...ADMIN, 'Content-Type': 'application/json' },
    body: JSON.stringify({ hash: first?.hash }),
  });
  t.is(rollback.status, 200);
  const short = first?.hash.slice(0, 12) ?? 'no hash';

  const expectRefused = async (service: typeof before) => {
    const status = service.registry.status()[0];
    t.truthy(status?.pinned?.pendingHash);
    t.is(
      status?.lastError?.hash,
      status?.pinned?.pendingHash,
      'GET /admin/rules names the refused files on disk',
    );
    const page = await watchedPage(t, await launchBrowser(t));
    await openConsole(page, service, '#/apps');
    const card = page.getByRole('article', { name: 'demo' });
    await card.getByRole('region', { name: 'Pinned' }).waitFor();
    const refused = card.getByRole('region', { name: 'Last error' });
    await refused
      .getByText(/banner\.yaml:\d+:\d+/)
      .first()
      .waitFor();
    await refused.getByText(`Still serving ${first?.version} (${short}).`, { exact: false }).waitFor();
    await refused.getByText('They are the files on disk now', { exact: false }).waitFor();
    t.is(
      await card.getByText('No error', { exact: false }).count(),
      0,
      'refused files are never called valid',
    );
    t.deepEqual(await accessibilityViolations(page), []);
  };
  await expectRefused(before);
  await before.stop();
  // A restart on the same files and data: the rollback in force is joined, the refusal still said.
  const after = await startTestService(t, { env });
  t.is(after.registry.current('demo')?.hash, first?.hash);
  await expectRefused(after);
});

test('apps: a reload refused with 422 is shown as its outcome, not as an error', async (t) => {
  const rulesDir = await copyOfShippedRules(t);
  const service = await startTestService(t, { env: { OFFERD_RULES_DIR: rulesDir } });
  const banner = path.join(rulesDir, 'demo', 'banner.yaml');
  await writeFile(
    banner,
    (await readFile(banner, 'utf8')).replace(/^kind: Banner$/m, 'kind: Banner\nnot_a_field: 1'),
  );
  const page = await watchedPage(t, await launchBrowser(t));
  await openConsole(page, service, '#/apps');
  const card = page.getByRole('article', { name: 'demo' });
  await card.getByRole('button', { name: 'Reload demo from disk' }).click();
  await card
    .getByRole('status')
    .filter({ hasText: /^Reload: failed — 1 problem\(s\)$/ })
    .waitFor();
  await card
    .getByRole('region', { name: 'Last error' })
    .getByText(/banner\.yaml:\d+:\d+/)
    .first()
    .waitFor();
  t.is(await card.getByRole('alert').count(), 0);
});

test('the admin token field is a password field the browser is not offered to save', async (t) => {
  const service = await startTestService(t);
  const page = await watchedPage(t, await launchBrowser(t));
  await page.goto(`${service.url}/console`);
  const token = page.getByLabel('Admin token');
  await token.waitFor();
  t.is(await token.getAttribute('type'), 'password');
  t.is(await token.getAttribute('autocomplete'), 'off');
});
