import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { openDocumentStore } from '../../src/apis.js';
import { accessibilityViolations, launchBrowser, openConsole, watchedPage } from '../helpers/browser.js';
import { copyOfShippedRules } from '../helpers/rules-fixture.js';
import { startTestService } from '../helpers/start-test-service.js';
import { tempDir } from '../helpers/temp-dir.js';

const DAY_MS = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** champion-spotlight (bucket version 2) enrolments: control 2 and spotlight 3 two days ago, control 1 today. */
async function seedEnrollments(dir: string, now: number): Promise<void> {
  const store = await openDocumentStore(dir);
  const seeds: [number, number, number][] = [
    [0, -2, 2],
    [1, -2, 3],
    [0, 0, 1],
  ];
  let n = 0;
  for (const [variationId, daysAgo, users] of seeds) {
    for (let i = 0; i < users; i++) {
      await store.banner.assign('demo', {
        experimentId: 'champion-spotlight',
        bucketVersion: 2,
        userId: `seeded-${++n}`,
        variationId,
        assignedAt: new Date(now + daysAgo * DAY_MS).toISOString(),
      });
    }
  }
  await store.close();
}

test('experiments: enrollment over time is drawn per variation, cumulative, with every day in its table', async (t) => {
  const dir = await tempDir(t, 'offerd-data-');
  const now = Date.now();
  await seedEnrollments(dir, now);
  const service = await startTestService(t, { env: { OFFERD_DATA_DIR: dir } });
  const page = await watchedPage(t, await launchBrowser(t));
  await openConsole(page, service, '#/experiments?app=demo&experiment=champion-spotlight');
  // Opened from a link to the experiment: the page waits for the app list, then shows its results.
  await page.getByRole('heading', { level: 2, name: 'champion-spotlight' }).waitFor();
  await page.getByText('6 users since').waitFor();
  // trafficAllocation is a percent of the rules (0–100), shown as itself, not ×100.
  await page.getByText('running, 100 % of traffic, 6 users since').waitFor();
  const list = page.getByRole('table', { name: /Experiments of demo/ });
  const traffic = (id: string) =>
    list
      .getByRole('row')
      .filter({ has: page.getByRole('link', { name: id, exact: true }) })
      .locator('td.num')
      .first();
  t.is(await traffic('level-up-first-offer').textContent(), '50 %');
  t.is(await traffic('champion-spotlight').textContent(), '100 %');
  // A variation named control is not called "control (control)".
  await page.getByRole('rowheader', { name: 'control', exact: true }).first().waitFor();
  t.is(await page.getByText('control (control)').count(), 0);

  const title = 'Enrolled users over time, cumulative per variation';
  const chart = page.getByRole('img', { name: title });
  await chart.waitFor();
  t.is(await chart.locator('title').first().textContent(), title);
  t.is(await chart.locator('polyline').count(), 2, 'one line per variation');
  // Each point names its variation, day and total.
  t.is(
    await chart
      .locator('circle title')
      .filter({ hasText: `spotlight, ${dayOf(now)}: 3` })
      .count(),
    1,
  );

  await page.getByText(`${title}: the numbers`).click();
  const table = page.getByRole('table', { name: /Enrolled users per variation at the end of each UTC day/ });
  await table.waitFor();
  const rows = await table
    .locator('tbody tr')
    .evaluateAll((trs) =>
      trs.map((tr) => [...tr.children].map((c) => c.textContent?.replace(/\s+/g, ' ').trim())),
    );
  t.deepEqual(rows, [
    [dayOf(now - 2 * DAY_MS), '2 (+2)', '3 (+3)'],
    [dayOf(now - DAY_MS), '2 (+0)', '3 (+0)'],
    [dayOf(now), '3 (+1)', '3 (+0)'],
  ]);
  t.deepEqual(await table.locator('thead th').allTextContents(), ['Day (UTC)', 'control', 'spotlight']);
  t.deepEqual(await accessibilityViolations(page), []);
});

test('experiments: a handful of users is flagged "too few users" next to the figures, with the reason', async (t) => {
  const dir = await tempDir(t, 'offerd-data-');
  const now = Date.now();
  await seedEnrollments(dir, now);
  // seeded-3 (spotlight) and seeded-1 (control) buy after their assignment: 1 of 3 against 1 of 3.
  const store = await openDocumentStore(dir);
  await store.banner.track(
    'demo',
    ['seeded-1', 'seeded-3'].map((userId) => ({
      userId,
      name: 'SpecialOfferPopupPurchased',
      time: null,
      receivedAt: new Date(now).toISOString(),
      renderId: null,
      experimentId: null,
      variationId: null,
      value: null,
    })),
  );
  await store.close();
  const service = await startTestService(t, { env: { OFFERD_DATA_DIR: dir } });
  const page = await watchedPage(t, await launchBrowser(t));
  await openConsole(page, service, '#/experiments?app=demo&experiment=champion-spotlight');
  const table = page.getByRole('table', { name: /SpecialOfferPopupPurchased: rate per variation/ });
  await table.waitFor();
  const spotlight = table.getByRole('row').filter({ hasText: 'spotlight' });
  await spotlight.getByText('too few users').first().waitFor();
  // No p-value to read, and the verdict says why it is inconclusive.
  await spotlight
    .getByText(
      /too few expected conversions or non-conversions to compare: at the pooled rate of 33\.3 %, control expects 1 conversions/,
    )
    .waitFor();
  await page.getByText('Verdicts judge the conversion rate of the primary metric').waitFor();
  t.true((await spotlight.locator('td.num').allTextContents()).includes('—'));
  t.deepEqual(await accessibilityViolations(page), []);
});

test('experiments: the page follows the URL hash: a pasted link to another experiment, then Back', async (t) => {
  const service = await startTestService(t);
  const page = await watchedPage(t, await launchBrowser(t));
  await openConsole(page, service, '#/experiments?app=demo&experiment=champion-spotlight');
  const results = page.locator('#results-title');
  await page.getByRole('heading', { level: 2, name: 'champion-spotlight' }).waitFor();
  // A link pasted into the address bar: the same document, only the hash changes.
  await page.goto(`${service.url}/console#/experiments?app=demo&experiment=payer-upsell`);
  await page.getByRole('heading', { level: 2, name: 'payer-upsell' }).waitFor();
  t.is(await results.textContent(), 'payer-upsell');
  await page.goBack();
  await page.getByRole('heading', { level: 2, name: 'champion-spotlight' }).waitFor();
  t.is(await results.textContent(), 'champion-spotlight');
  // A link of the list, then Back: the list's selection follows too.
  const list = page.getByRole('table', { name: /Experiments of demo/ });
  await list.getByRole('link', { name: 'payer-upsell', exact: true }).click();
  await page.getByRole('heading', { level: 2, name: 'payer-upsell' }).waitFor();
  await page.goBack();
  await page.getByRole('heading', { level: 2, name: 'champion-spotlight' }).waitFor();
  t.is(await list.locator('tr[aria-selected="true"] a').textContent(), 'champion-spotlight');
});

type Json = Record<string, unknown>;
const interval = (low: number, high: number) => ({ low, high });

/** A metric's figures for one arm, as the results give them (versusControl null for control). */
function metricFigures(conversions: number, users: number, control: boolean): Json {
  const rate = users ? conversions / users : null;
  return {
    smallSample: false,
    smallSampleReason: null,
    conversions,
    rate,
    interval: rate === null ? null : interval(Math.max(0, rate - 0.02), rate + 0.02),
    versusControl: control
      ? null
      : {
          smallSample: false,
          smallSampleReason: null,
          uplift: 0.4,
          upliftInterval: interval(0.2, 0.6),
          difference: 0.04,
          pValue: 0.0001,
          pValueHolm: 0.0001,
          sequentialPValue: 0.001,
          sequentialInterval: interval(0.01, 0.07),
        },
  };
}

/**
 * The results the API gives, with a treated arm's verdict "winning" (a real run needs thousands
 * of users for one) and a secondary metric nobody converted on.
 */
function withWinningVerdict(body: Json, revenue: boolean): Json {
  const primary = String(body.primaryMetric);
  const variations = (body.variations as Json[]).map((v) => {
    const control = v.control === true;
    return {
      ...v,
      users: 1000,
      metrics: {
        [primary]: metricFigures(control ? 100 : 140, 1000, control),
        SpecialOfferPopupOpened: metricFigures(0, 1000, control),
      },
      verdict: control ? null : 'winning',
      verdictReason: control ? null : 'difference +0.04, always-valid p 0.001 ≤ 0.05: winning',
      revenue: revenue
        ? {
            value: 'revenue',
            smallSample: false,
            smallSampleReason: null,
            perUser: control ? 1 : 2,
            interval: interval(0.5, 2.5),
            versusControl: control
              ? null
              : {
                  smallSample: false,
                  smallSampleReason: null,
                  difference: 1,
                  differenceInterval: interval(0.5, 1.5),
                  uplift: 1,
                  upliftInterval: interval(0.5, 1.5),
                },
          }
        : null,
    };
  });
  return { ...body, secondaryMetrics: ['SpecialOfferPopupOpened'], variations };
}

test('experiments: a verdict shows only where it judges: not on a secondary metric, and with revenue per user when it judges that', async (t) => {
  const service = await startTestService(t);
  const page = await watchedPage(t, await launchBrowser(t));
  for (const [id, revenue] of [
    ['champion-spotlight', false],
    ['payer-upsell', true],
  ] as const) {
    await page.route(`**/admin/apps/demo/experiments/${id}`, async (route) => {
      const res = await route.fetch();
      await route.fulfill({ response: res, json: withWinningVerdict((await res.json()) as Json, revenue) });
    });
  }
  await openConsole(page, service, '#/experiments?app=demo&experiment=champion-spotlight');
  const rateTable = (metric: string) =>
    page.getByRole('table', { name: new RegExp(`^${metric}: rate per variation`) });
  const spotlight = (metric: string) => rateTable(metric).getByRole('row').filter({ hasText: 'spotlight' });
  const upliftPoints = (metric: string) =>
    page.getByRole('img', { name: `${metric}: uplift against control with 95 % interval` }).locator('circle');

  // The primary metric: the verdict, its reason and the chart's colour.
  await spotlight('SpecialOfferPopupPurchased').getByText('winning', { exact: true }).waitFor();
  t.is(await upliftPoints('SpecialOfferPopupPurchased').first().getAttribute('class'), 'point good');
  // A secondary metric with no conversion at all: no verdict, no colour.
  await page.getByLabel('Metric').selectOption('SpecialOfferPopupOpened');
  const secondary = spotlight('SpecialOfferPopupOpened');
  await secondary.getByText('none: a secondary metric').waitFor();
  t.is(await secondary.getByText('winning').count(), 0);
  t.is(
    await rateTable('SpecialOfferPopupOpened')
      .getByText(/always-valid p 0\.001/)
      .count(),
    0,
  );
  t.is(await upliftPoints('SpecialOfferPopupOpened').first().getAttribute('class'), 'point ');

  // Verdicts on revenue per user: with the revenue table, not on the conversion rate.
  await page.getByRole('link', { name: 'payer-upsell', exact: true }).click();
  await page.getByRole('heading', { level: 2, name: 'payer-upsell' }).waitFor();
  const revenueRow = page
    .getByRole('table', { name: /^Revenue per user/ })
    .getByRole('row')
    .filter({ hasNotText: 'control' })
    .last();
  await revenueRow.getByText('winning', { exact: true }).waitFor();
  const treated = rateTable('SpecialOfferPopupPurchased').getByRole('row').last();
  await treated.getByText('on revenue per user (below)').waitFor();
  t.is(await treated.getByText('winning').count(), 0);
  t.deepEqual(await accessibilityViolations(page), []);
});

test('experiments: the bucket version is bucketVersion, and the hash construction is named as such', async (t) => {
  const service = await startTestService(t);
  const page = await watchedPage(t, await launchBrowser(t));
  await openConsole(page, service, '#/experiments?app=demo&experiment=champion-spotlight');
  await page.getByRole('heading', { level: 2, name: 'champion-spotlight' }).waitFor();
  // champion-spotlight: bucketVersion 2 (re-randomized once), hashVersion 1 (murmur3).
  await page
    .getByText('bucket version 2; hash construction murmur3 (hashVersion 1).', { exact: false })
    .waitFor();
  t.is(await page.getByText('bucketing version', { exact: false }).count(), 0);
  await page.getByRole('link', { name: 'payer-upsell', exact: true }).click();
  await page
    .getByText('bucket version 1; hash construction murmur3 (hashVersion 1).', { exact: false })
    .waitFor();
  t.pass();
});

test('experiments: traffic is shown as the rules write it, up to 2 decimals, never rounded to a whole percent', async (t) => {
  const rulesDir = await copyOfShippedRules(t);
  const file = path.join(rulesDir, 'demo', 'banner.yaml');
  const text = await readFile(file, 'utf8');
  const edited = text
    .replace(/(- id: payer-upsell[\s\S]*?trafficAllocation: )100/, '$10.4')
    .replace(/(- id: level-up-first-offer[\s\S]*?trafficAllocation: )50/, '$112.5');
  t.not(edited, text);
  await writeFile(file, edited);
  const service = await startTestService(t, { env: { OFFERD_RULES_DIR: rulesDir } });
  const page = await watchedPage(t, await launchBrowser(t));
  await openConsole(page, service, '#/experiments?app=demo&experiment=payer-upsell');
  const list = page.getByRole('table', { name: /Experiments of demo/ });
  const traffic = (id: string) =>
    list
      .getByRole('row')
      .filter({ has: page.getByRole('link', { name: id, exact: true }) })
      .locator('td.num')
      .first();
  await traffic('payer-upsell').waitFor();
  t.is(await traffic('payer-upsell').textContent(), '0.4 %');
  t.is(await traffic('level-up-first-offer').textContent(), '12.5 %');
  t.is(await traffic('champion-spotlight').textContent(), '100 %');
  await page.getByText(/^running, 0\.4 % of traffic, /).waitFor();
});

test('experiments: arm against arm gives the difference of two rates in percentage points', async (t) => {
  const service = await startTestService(t);
  const page = await watchedPage(t, await launchBrowser(t));
  // 14 % against 10 % converting: 4 percentage points (an uplift of 40 %).
  await page.route('**/admin/apps/demo/experiments/champion-spotlight', async (route) => {
    const res = await route.fetch();
    const body = (await res.json()) as Json;
    const pair = {
      smallSample: false,
      smallSampleReason: null,
      a: 0,
      b: 1,
      difference: 0.04,
      pValue: 0.001,
      pValueHolm: 0.001,
    };
    await route.fulfill({ response: res, json: { ...body, armVersusArm: [pair] } });
  });
  await openConsole(page, service, '#/experiments?app=demo&experiment=champion-spotlight');
  const pairs = page.getByRole('table', { name: /^Every pair of arms/ });
  await pairs.waitFor();
  t.deepEqual(await pairs.locator('thead th').allTextContents(), ['Pair', 'Difference (pp)', 'p (Holm)']);
  t.is(
    await pairs
      .getByRole('row', { name: /spotlight vs control/ })
      .locator('td')
      .first()
      .textContent(),
    '+4.00 pp',
  );
  t.deepEqual(await accessibilityViolations(page), []);
});

test('experiments: with every comparison against control withheld, no empty uplift chart is drawn, a line says why', async (t) => {
  const service = await startTestService(t);
  const page = await watchedPage(t, await launchBrowser(t));
  // The results of a split changed mid-run: rates per arm, no comparison against control.
  await page.route('**/admin/apps/demo/experiments/champion-spotlight', async (route) => {
    const res = await route.fetch();
    const body = withWinningVerdict((await res.json()) as Json, false);
    const variations = (body.variations as Json[]).map((v) => ({
      ...v,
      verdict: null,
      verdictReason: null,
      metrics: Object.fromEntries(
        Object.entries(v.metrics as Record<string, Json>).map(([m, f]) => [m, { ...f, versusControl: null }]),
      ),
    }));
    await route.fulfill({ response: res, json: { ...body, variations } });
  });
  await openConsole(page, service, '#/experiments?app=demo&experiment=champion-spotlight');
  const metric = 'SpecialOfferPopupPurchased';
  await page.getByRole('img', { name: `${metric}: conversion rate with 95 % interval` }).waitFor();
  await page.getByText('No uplift to chart: no comparison against control is shown').waitFor();
  t.is(
    await page.getByRole('img', { name: `${metric}: uplift against control with 95 % interval` }).count(),
    0,
  );
});
