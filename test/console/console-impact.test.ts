import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { accessibilityViolations, launchBrowser, openConsole, watchedPage } from '../helpers/browser.js';
import { seedEveryApi } from '../helpers/demo-data.js';
import { copyOfShippedRules } from '../helpers/rules-fixture.js';
import { startTestService } from '../helpers/start-test-service.js';

test('impact: a draft folder replayed on recorded traffic shows the changed share, the EPC/payout figures and the offers gained by name', async (t) => {
  const service = await startTestService(t, { env: { OFFERD_DECISION_LOG_SAMPLE_RATE: '1' } });
  await seedEveryApi(service.url);
  for (const uid of ['c-1', 'c-2', 'c-3']) {
    t.is(
      (await service.fetch(`/api/v1/users/${uid}/personalized?wall=1001&numoffers=5&ip=8.8.8.8`)).status,
      200,
    );
  }
  const draft = await copyOfShippedRules(t);
  const file = path.join(draft, 'demo', 'offerwall.yaml');
  const text = await readFile(file, 'utf8');
  await writeFile(file, text.replace('epc: 0.30', 'epc: 0.00').replace('payout: 0.10', 'payout: 0.40'));

  const page = await watchedPage(t, await launchBrowser(t));
  await openConsole(page, service, '#/impact');
  await page.getByRole('heading', { level: 1, name: 'Impact of a change' }).waitFor();
  await page.getByRole('radio', { name: 'a draft rules folder on the server' }).check();
  await page.getByRole('textbox', { name: 'Draft rules folder' }).fill(draft);
  await page.getByRole('button', { name: 'Replay against the live rules' }).click();
  const offerwall = page.getByRole('region', { name: /^offerwall: / });
  await offerwall.waitFor();
  // What the page shows is the route's report, read as a person reads it.
  const res = await service.fetch('/admin/apps/demo/impact', {
    method: 'POST',
    headers: { Authorization: 'Bearer demo-admin-token', 'Content-Type': 'application/json' },
    body: JSON.stringify({ rules: draft }),
  });
  const wall = ((await res.json()) as { byApi: Record<string, Record<string, never>> }).byApi
    .offerwall as unknown as {
    requests: number;
    topOffers: { before: { averagePayout: number }; after: { averagePayout: number } };
    gainedOffers: { name: string }[];
  };
  t.regex(
    (await offerwall.getByRole('heading').first().textContent()) ?? '',
    new RegExp(`of ${wall.requests} replayed requests change`),
  );
  // The replay is bounded: the page says which recorded decisions it read.
  await page
    .getByRole('region', { name: 'Impact' })
    .getByText('The most recent 2000 recorded decisions of each API: every recorded decision.')
    .waitFor();
  const figures = offerwall.getByRole('table', { name: "Offers shown (each request's top numoffers)" });
  const payout = figures.getByRole('row', { name: /Average payout/ });
  await payout
    .getByRole('cell', { name: String(wall.topOffers.before.averagePayout), exact: true })
    .waitFor();
  await payout.getByRole('cell', { name: String(wall.topOffers.after.averagePayout), exact: true }).waitFor();
  await offerwall
    .getByText(wall.gainedOffers[0]?.name ?? 'no gained offer')
    .first()
    .waitFor();
  // A banner replay's first assignments are said in words, as the CLI says them, not as JSON.
  const banner = page.getByRole('region', { name: /^banner: / });
  const first = banner
    .getByRole('table', { name: 'Business figures' })
    .getByRole('row', { name: /first assignments/ });
  t.regex(
    (await first.getByRole('cell').textContent()) ?? '',
    /^\d+ of \d+ \(\d+\.\d %\) — new players like these; players already assigned keep their variation$/,
  );
  t.deepEqual(await accessibilityViolations(page), []);
});

test('impact: candidate rules that do not load are an error with the API message and each problem, not a blank page', async (t) => {
  const rulesDir = await copyOfShippedRules(t);
  const service = await startTestService(t, { env: { OFFERD_RULES_DIR: rulesDir } });
  // A broken change on disk, not reloaded: the pending candidate does not load.
  const banner = path.join(rulesDir, 'demo', 'banner.yaml');
  await writeFile(
    banner,
    (await readFile(banner, 'utf8')).replace(/^kind: Banner$/m, 'kind: Banner\nnot_a_field: 1'),
  );

  const page = await watchedPage(t, await launchBrowser(t));
  await openConsole(page, service, '#/impact');
  await page.getByRole('radio', { name: "the app's files on disk (pending)" }).check();
  await page.getByRole('button', { name: 'Replay against the live rules' }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  t.regex(
    (await alert.textContent()) ?? '',
    /^the candidate rules of 'demo' do not load: .*banner\.yaml:\d+:\d+ .*\(HTTP 422\): source: .*banner\.yaml:\d+:\d+/,
  );
  t.is(await page.getByRole('region', { name: 'Impact' }).count(), 0, 'no report of a replay that never ran');
  await page.getByRole('heading', { level: 1, name: 'Impact of a change' }).waitFor();
  t.deepEqual(await accessibilityViolations(page), []);
});

test('impact: a candidate the fixtures gate would refuse says so first, with each failure, and which rules were compared', async (t) => {
  // The shipped rules and the fixtures gate on, as the service runs by default.
  const service = await startTestService(t);
  const draft = await copyOfShippedRules(t);
  const file = path.join(draft, 'demo', 'offerwall.yaml');
  const text = await readFile(file, 'utf8');
  await writeFile(file, text.replace('epc: 0.30', 'epc: 0.00').replace('payout: 0.10', 'payout: 0.40'));
  const res = await service.fetch('/admin/apps/demo/impact', {
    method: 'POST',
    headers: { Authorization: 'Bearer demo-admin-token', 'Content-Type': 'application/json' },
    body: JSON.stringify({ rules: draft }),
  });
  const answer = (await res.json()) as {
    fixtures: { failures: string[] };
    live: { version: string; hash: string };
    candidate: { version: string; hash: string };
  };
  t.is(answer.fixtures.failures.length, 1, 'the draft fails one of the shipped fixtures');

  const page = await watchedPage(t, await launchBrowser(t));
  await openConsole(page, service, '#/impact');
  await page.getByRole('radio', { name: 'a draft rules folder on the server' }).check();
  await page.getByRole('textbox', { name: 'Draft rules folder' }).fill(draft);
  await page.getByRole('button', { name: 'Replay against the live rules' }).click();
  const gate = page.getByRole('region', { name: 'Impact' }).getByRole('alert');
  await gate
    .getByRole('heading', { name: 'A reload would refuse this candidate: 1 fixture fails' })
    .waitFor();
  t.is(await gate.getByRole('listitem').textContent(), answer.fixtures.failures[0] ?? 'no failure');
  t.regex(answer.fixtures.failures[0] ?? '', /tests\/offerwall\.yaml:\d+ /);
  const compared = page.getByRole('definition');
  await compared
    .filter({ hasText: answer.live.hash.slice(0, 12) })
    .filter({ hasText: answer.live.version })
    .waitFor();
  await compared
    .filter({ hasText: answer.candidate.hash.slice(0, 12) })
    .filter({ hasText: `from the draft folder ${draft}` })
    .waitFor();
  t.deepEqual(await accessibilityViolations(page), []);
});
