import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { DEMO_KEY, getResults, postBanner, postTrack } from '../helpers/banner-client.js';
import { copyOfShippedRules } from '../helpers/rules-fixture.js';
import { startTestService, type TestService } from '../helpers/start-test-service.js';

const PURCHASE = 'SpecialOfferPopupPurchased';
/** The 97.5 % normal quantile, written out here rather than imported from the code under test. */
const Z = 1.959963984540054;
const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;

interface Interval {
  low: number;
  high: number;
}
interface RevenueBody {
  value: string;
  perUser: number;
  interval: Interval | null;
  versusControl: {
    difference: number;
    differenceInterval: Interval | null;
    uplift: number | null;
    upliftInterval: Interval | null;
  } | null;
}
interface Variation {
  variationId: number;
  users: number;
  metrics: Record<string, { conversions: number }>;
  revenue: RevenueBody | null;
}

/** The shipped rules with champion-spotlight's primary metric summing `properties.revenue`. */
async function rulesWithRevenue(t: ExecutionContext): Promise<string> {
  const dir = await copyOfShippedRules(t);
  const file = path.join(dir, 'demo', 'banner.yaml');
  const text = await readFile(file, 'utf8');
  const start = text.indexOf('id: champion-spotlight');
  const primary = `primary: { event: ${PURCHASE} }`;
  const at = text.indexOf(primary, start);
  t.true(start >= 0 && at > start, 'the shipped champion-spotlight declares its primary metric');
  await writeFile(
    file,
    `${text.slice(0, at)}primary: { event: ${PURCHASE}, value: revenue }${text.slice(at + primary.length)}`,
  );
  return dir;
}

function purchase(userId: string, revenue: unknown, extra: Record<string, unknown> = {}) {
  return {
    event: PURCHASE,
    properties: {
      distinct_id: userId,
      time: Math.floor(Date.now() / 1000),
      token: DEMO_KEY,
      revenue,
      ...extra,
    },
  };
}

async function enrol(s: TestService, userId: string): Promise<number> {
  const res = await postBanner(s, { userId, offerId: '8622', activeChamp: 'ahri' });
  if (res.body.kibotuMetadata.experimentId !== 'champion-spotlight')
    throw new Error(`${userId} not enrolled`);
  return res.body.kibotuMetadata.variationId;
}

/**
 * Mean, n − 1 variance and 95 % interval of a list of per-user totals, computed here from
 * scratch; the interval's lower bound at 0 at least, as revenue per user is never negative.
 */
function describe(totals: readonly number[]) {
  const n = totals.length;
  const mean = totals.reduce((a, x) => a + x, 0) / n;
  const variance = totals.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1);
  const half = Z * Math.sqrt(variance / n);
  return { n, mean, variance, interval: { low: Math.max(0, mean - half), high: mean + half } };
}

const close = (t: ExecutionContext, actual: number | undefined, expected: number, what: string) =>
  t.true(
    actual !== undefined && Math.abs(actual - round4(expected)) <= 1e-6,
    `${what}: ${actual} vs ${round4(expected)}`,
  );

test('revenue per user, its interval and uplift against control match an independent computation', async (t) => {
  const s = await startTestService(t, { env: { OFFERD_RULES_DIR: await rulesWithRevenue(t) } });
  const variationOf = new Map<string, number>();
  // Enough users for a revenue interval in both arms (30 each: docs/experiments.md, "Small samples").
  const enough = () => [0, 1].every((v) => [...variationOf.values()].filter((x) => x === v).length >= 30);
  for (let i = 0; !enough(); i++) variationOf.set(`payer-${i}`, await enrol(s, `payer-${i}`));
  const expectedTotal = new Map<string, number>([...variationOf.keys()].map((u) => [u, 0]));
  const converted = new Set<string>();
  const batch: unknown[] = [];
  for (const [i, user] of [...variationOf.keys()].entries()) {
    if (i % 3 === 0) {
      batch.push(purchase(user, 4.99, { $insert_id: `${user}-a` }));
      expectedTotal.set(user, (expectedTotal.get(user) ?? 0) + 4.99);
      converted.add(user);
    }
    if (i % 4 === 0) {
      batch.push(purchase(user, 19.99 + i, { $insert_id: `${user}-b` }));
      expectedTotal.set(user, (expectedTotal.get(user) ?? 0) + 19.99 + i);
      converted.add(user);
    }
    if (i % 7 === 1) {
      // A value that is no amount: a conversion, no revenue.
      batch.push(purchase(user, i % 2 === 0 ? '9.99' : -3, { $insert_id: `${user}-c` }));
      converted.add(user);
    }
  }
  for (let from = 0; from < batch.length; from += 50) {
    const chunk = batch.slice(from, from + 50);
    t.is((await postTrack(s, chunk)).text, '1');
    // The SDK retries a batch whose answer it did not get: the same $insert_ids count once.
    t.is((await postTrack(s, chunk)).text, '1');
  }

  const res = await getResults(s, 'champion-spotlight');
  t.is(res.status, 200);
  const variations = (res.body as unknown as { variations: Variation[] }).variations;
  const totalsOf = (id: number) =>
    [...variationOf.entries()].filter(([, v]) => v === id).map(([u]) => expectedTotal.get(u) ?? 0);
  const control = describe(totalsOf(0));
  for (const v of variations) {
    const mine = describe(totalsOf(v.variationId));
    t.is(v.users, mine.n);
    t.is(
      v.metrics[PURCHASE]?.conversions,
      [...converted].filter((u) => variationOf.get(u) === v.variationId).length,
    );
    t.is(v.revenue?.value, 'revenue');
    close(t, v.revenue?.perUser, mine.mean, `perUser of ${v.variationId}`);
    close(t, v.revenue?.interval?.low, mine.interval.low, `interval low of ${v.variationId}`);
    close(t, v.revenue?.interval?.high, mine.interval.high, `interval high of ${v.variationId}`);
    if (v.variationId === 0) {
      t.is(v.revenue?.versusControl, null);
      continue;
    }
    const vs = v.revenue?.versusControl;
    const difference = mine.mean - control.mean;
    const se = Math.sqrt(mine.variance / mine.n + control.variance / control.n);
    close(t, vs?.difference, difference, 'difference');
    close(t, vs?.differenceInterval?.low, difference - Z * se, 'difference low');
    close(t, vs?.differenceInterval?.high, difference + Z * se, 'difference high');
    close(t, vs?.uplift ?? undefined, mine.mean / control.mean - 1, 'uplift');
  }
  t.is(variations.length, 2);
  // A declared value makes revenue per user the figure the verdict judges, and the reason says so.
  const body = res.body as unknown as { verdictOn: string; variations: { verdictReason: string | null }[] };
  t.is(body.verdictOn, 'revenuePerUser');
  t.regex(
    body.variations[1]?.verdictReason ?? '',
    /^revenue per user \(SpecialOfferPopupPurchased\.revenue\): /,
  );
});

test('a purchase whose own time is before the assignment is no conversion and no revenue, even received after', async (t) => {
  const s = await startTestService(t, { env: { OFFERD_RULES_DIR: await rulesWithRevenue(t) } });
  const before = Math.floor(Date.now() / 1000) - 60;
  const variation = await enrol(s, 'late-reporter');
  // Bought a minute before entering the experiment; the SDK sent it only now.
  t.is((await postTrack(s, [purchase('late-reporter', 1000, { time: before })])).text, '1');
  const arm = (body: unknown) =>
    (body as { variations: Variation[] }).variations.find((v) => v.variationId === variation);
  const first = arm((await getResults(s, 'champion-spotlight')).body);
  t.is(first?.metrics[PURCHASE]?.conversions, 0);
  t.is(first?.revenue?.perUser, 0);
  // Their next purchase, stamped now, is one.
  t.is((await postTrack(s, [purchase('late-reporter', 2.5)])).text, '1');
  const second = arm((await getResults(s, 'champion-spotlight')).body);
  t.is(second?.metrics[PURCHASE]?.conversions, 1);
  t.is(second?.revenue?.perUser, 2.5);
});

test("the shipped demo reads revenue: payer-upsell sums the purchases' `revenue` property", async (t) => {
  const s = await startTestService(t, { env: { OFFERD_STORE: 'memory' } });
  // A first purchase makes the player a payer; the next render enrols them in payer-upsell.
  t.is((await postTrack(s, [purchase('demo-payer', 1)])).text, '1');
  const res = await postBanner(s, { userId: 'demo-payer', offerId: '8622' });
  t.is(res.body.kibotuMetadata.experimentId, 'payer-upsell');
  const variation = res.body.kibotuMetadata.variationId;
  t.is((await postTrack(s, [purchase('demo-payer', 4.99)])).text, '1');
  const results = (await getResults(s, 'payer-upsell')).body as unknown as { variations: Variation[] };
  const arm = results.variations.find((v) => v.variationId === variation);
  t.like(arm?.revenue, { value: 'revenue', perUser: 4.99 });
});

test('an absurd revenue (1.7e308, finite) is no value: the arm keeps finite revenue and its comparison', async (t) => {
  const s = await startTestService(t, { env: { OFFERD_RULES_DIR: await rulesWithRevenue(t) } });
  const byVariation = new Map<number, string[]>();
  // 30 users an arm: fewer and the intervals are withheld as too small to read.
  for (let i = 0; byVariation.size < 2 || [...byVariation.values()].some((u) => u.length < 30); i++) {
    const user = `whale-${i}`;
    const v = await enrol(s, user);
    byVariation.set(v, [...(byVariation.get(v) ?? []), user]);
  }
  const batch = [...byVariation.values()].flatMap((users) => [
    purchase(users[0] as string, 1.7e308),
    purchase(users[1] as string, 1.7e308),
    purchase(users[2] as string, 10),
  ]);
  t.is((await postTrack(s, batch)).text, '1');
  const res = await getResults(s, 'champion-spotlight');
  t.is(res.status, 200);
  for (const v of (res.body as unknown as { variations: Variation[] }).variations) {
    const users = byVariation.get(v.variationId)?.length ?? 0;
    t.is(v.metrics[PURCHASE]?.conversions, 3, 'each purchase still converts');
    close(t, v.revenue?.perUser, 10 / users, `perUser of ${v.variationId}`);
    t.not(v.revenue?.interval, null);
    if (v.variationId !== 0) t.not(v.revenue?.versusControl?.differenceInterval, null);
  }
});
