import test from 'ava';
import type { Experiment } from '../../../src/banner/domain/banner-types.js';
import { experimentResults, type VariationTally } from '../../../src/banner/domain/experiment-results.js';

const PURCHASE = 'SpecialOfferPopupPurchased';

const experiment = (over: Partial<Experiment> = {}): Experiment => ({
  id: 'spring',
  description: '',
  status: 'running',
  bucketVersion: 3,
  trafficAllocation: 80,
  occasion: null,
  hasEligibility: false,
  hashVersion: 2,
  controlBanner: false,
  metrics: { primary: PURCHASE, secondary: ['SpecialOfferPopupOpened'] },
  variations: [
    { id: 0, name: 'control', weight: 50 },
    { id: 1, name: 'hero', weight: 50 },
    { id: 2, name: 'unused', weight: 0 },
  ],
  ...over,
});

const tally = (variationId: number, users: number, conversions: Record<string, number>): VariationTally => ({
  variationId,
  users,
  firstAssignedAt: users > 0 ? `2026-11-0${variationId + 1}T00:00:00.000Z` : null,
  exposures: users * 2,
  conversions: Object.entries(conversions).map(([event, n]) => ({ event, users: n })),
});

test('per variation: counts exact, rate and Wilson interval to 4 decimals, the comparison with control', (t) => {
  const results = experimentResults(experiment(), 3, [
    tally(0, 1000, { [PURCHASE]: 100, _kb_set: 1000 }),
    tally(1, 1000, { [PURCHASE]: 130, SpecialOfferPopupOpened: 900, AppStart: 5 }),
  ]);
  t.like(results, {
    primaryMetric: PURCHASE,
    secondaryMetrics: ['SpecialOfferPopupOpened'],
    users: 2000,
    startedAt: '2026-11-01T00:00:00.000Z',
    hashVersion: 2,
  });
  const [control, hero] = results.variations;
  t.like(control, { variationId: 0, control: true, users: 1000, exposures: 2000, verdict: null });
  t.deepEqual(
    Object.keys(control?.metrics ?? {}),
    [PURCHASE, 'SpecialOfferPopupOpened'],
    'declared metrics only',
  );
  t.deepEqual(control?.metrics[PURCHASE], {
    smallSample: false,
    smallSampleReason: null,
    conversions: 100,
    rate: 0.1,
    // Wilson 95 % for 100/1000: 0.0829094, 0.1201520 (mpmath).
    interval: { low: 0.0829, high: 0.1202 },
    versusControl: null,
  });
  t.like(hero?.metrics[PURCHASE], {
    conversions: 130,
    rate: 0.13,
    versusControl: {
      uplift: 0.3,
      upliftInterval: { low: 0.017, high: 0.6618 },
      difference: 0.03,
      pValue: 0.03549,
      pValueHolm: 0.03549,
      sequentialPValue: 0.3964,
    },
  });
  t.is(hero?.verdict, 'inconclusive', 'p 0.035 at one look is not yet a sequential win');
});

test('a clear effect is called winning (or losing) by the always-valid test', (t) => {
  const win = experimentResults(experiment(), 3, [
    tally(0, 10000, { [PURCHASE]: 500 }),
    tally(1, 10000, { [PURCHASE]: 700 }),
  ]);
  t.is(win.variations[1]?.verdict, 'winning');
  const lose = experimentResults(experiment(), 3, [
    tally(0, 10000, { [PURCHASE]: 700 }),
    tally(1, 10000, { [PURCHASE]: 500 }),
  ]);
  t.is(lose.variations[1]?.verdict, 'losing');
});

test('sample ratio mismatch: flagged below p 0.001 with the counts, and no verdict then holds', (t) => {
  const results = experimentResults(experiment(), 3, [
    tally(0, 10000, { [PURCHASE]: 500 }),
    tally(1, 9000, { [PURCHASE]: 700 }),
  ]);
  t.like(results.sampleRatio, { df: 1, mismatch: true });
  t.deepEqual(results.sampleRatio?.counts, [
    { variationId: 0, users: 10000, expected: 9500 },
    { variationId: 1, users: 9000, expected: 9500 },
  ]);
  t.true((results.sampleRatio?.pValue ?? 1) < 0.001);
  t.is(results.variations[1]?.verdict, 'inconclusive');
  const fine = experimentResults(experiment(), 3, [tally(0, 1000, {}), tally(1, 1010, {})]);
  t.false(fine.sampleRatio?.mismatch);
});

test('sample ratio with an arm expecting fewer than 5 users: flagged small, no p-value, never a mismatch', (t) => {
  // 10/90 weights, 5 users, 3 of them in the 10 % arm: chi-square says p = 0.0002 (a
  // "mismatch"), the exact binomial chance of 3 or more is 0.0086: the approximation lies.
  const skewed = experiment({
    variations: [
      { id: 0, name: 'control', weight: 90 },
      { id: 1, name: 'hero', weight: 10 },
    ],
  });
  const small = experimentResults(skewed, 3, [tally(0, 2, {}), tally(1, 3, {})]);
  t.like(small.sampleRatio, { smallSample: true, pValue: null, mismatch: false });
  t.regex(small.sampleRatio?.smallSampleReason ?? '', /expects 0\.5 users; the split check needs 5 or more/);
  t.true((small.sampleRatio?.statistic ?? 0) > 10, 'the statistic is still shown');
  // The same skew at 50 users is a real mismatch: every arm expects 5 or more.
  const real = experimentResults(skewed, 3, [tally(0, 20, {}), tally(1, 30, {})]);
  t.like(real.sampleRatio, { smallSample: false, smallSampleReason: null, mismatch: true });
});

test('three arms: Holm over the arms, and every arm against every other', (t) => {
  const three = experiment({
    variations: [
      { id: 0, name: 'control', weight: 1 },
      { id: 1, name: 'a', weight: 1 },
      { id: 2, name: 'b', weight: 1 },
    ],
  });
  const results = experimentResults(three, 3, [
    tally(0, 1000, { [PURCHASE]: 100 }),
    tally(1, 1000, { [PURCHASE]: 130 }),
    tally(2, 1000, { [PURCHASE]: 60 }),
  ]);
  const vs = (id: number) => results.variations[id]?.metrics[PURCHASE]?.versusControl;
  // Raw p: a 0.03549, b 0.001211 → Holm: b ·2, a ·1 (but not below b's).
  t.is(vs(2)?.pValueHolm, Number(((vs(2)?.pValue ?? 0) * 2).toPrecision(4)));
  t.is(vs(1)?.pValueHolm, vs(1)?.pValue);
  t.deepEqual(
    results.armVersusArm.map((c) => [c.a, c.b, c.difference]),
    [
      [0, 1, 0.03],
      [0, 2, -0.04],
      [1, 2, -0.07],
    ],
  );
  t.true(results.armVersusArm.every((c) => (c.pValueHolm ?? 0) >= (c.pValue ?? 1)));
});

test('without a declared primary metric: every tracked event but housekeeping, and no verdict', (t) => {
  const results = experimentResults(experiment({ metrics: { primary: null, secondary: [] } }), 3, [
    tally(0, 10, { $create_alias: 10, _kb_add: 3, AppStart: 4 }),
    tally(1, 10, { [PURCHASE]: 2 }),
  ]);
  t.is(results.primaryMetric, null);
  t.deepEqual(results.secondaryMetrics, ['AppStart', PURCHASE]);
  t.is(results.variations[1]?.verdict, null);
});

test('variations removed from the rules still show their stored users, outside the tests', (t) => {
  const results = experimentResults(experiment(), 3, [tally(7, 4, {})]);
  t.like(results.variations.at(-1), {
    variationId: 7,
    name: '(removed from the rules)',
    users: 4,
    weight: null,
  });
  t.deepEqual(results.sampleRatio, null, 'nobody in the declared variations yet');
});

test('revenue per user: reported when the primary metric names a value, rounded to 4 decimals', (t) => {
  // The per-user revenues of test/banner/domain/revenue.test.ts, each list three times
  // (30 and 36 users); expected values from numpy 2.4.6 / scipy 1.17.1 on those lists.
  const metrics = { primary: PURCHASE, secondary: [], primaryValue: 'price' };
  const results = experimentResults(experiment({ metrics }), 3, [
    { ...tally(0, 30, { [PURCHASE]: 9 }), revenue: { sum: 47.91, sumSquares: 377.0409 } },
    { ...tally(1, 36, { [PURCHASE]: 12 }), revenue: { sum: 92.88, sumSquares: 1351.1412 } },
  ]);
  t.deepEqual(results.variations[0]?.revenue, {
    value: 'price',
    smallSample: false,
    smallSampleReason: null,
    perUser: 1.597,
    interval: { low: 0.4451, high: 2.7489 },
    versusControl: null,
  });
  t.deepEqual(results.variations[1]?.revenue, {
    value: 'price',
    smallSample: false,
    smallSampleReason: null,
    perUser: 2.58,
    interval: { low: 0.7391, high: 4.4209 },
    versusControl: {
      smallSample: false,
      smallSampleReason: null,
      difference: 0.983,
      differenceInterval: { low: -1.1886, high: 3.1546 },
      uplift: 0.6155,
      upliftInterval: { low: -0.4143, high: 3.456 },
      // scipy: 2 * norm.sf(0.88721) = 0.37496 (Welch z); the mSPRT with the verdict's prior
      // (0.1 pooled SD) gives Λ < 1, so its always-valid p is 1: what the verdict read.
      pValue: 0.375,
      sequentialPValue: 1,
    },
  });
  t.is(experimentResults(experiment(), 3, []).variations[0]?.revenue, null, 'no value property, no revenue');
  const unstored = experimentResults(experiment({ metrics }), 3, [tally(0, 10, {}), tally(1, 12, {})]);
  t.is(unstored.variations[1]?.revenue, null, 'no stored values: no revenue, not a made-up 0');
});

// payer-upsell as an account manager found it: control 2 of 8 converting, each treatment
// 2 of 2. The z-test said p 0.053 (Fisher's exact: 0.13), the revenue difference had an
// interval excluding 0 and control's revenue interval went below 0, with nothing saying
// that 2 users are too few to read any of it.
test('8/2/2 users: every arm and comparison flagged small with the reason, no p-value or interval to sign', (t) => {
  const metrics = { primary: PURCHASE, secondary: [], primaryValue: 'revenue' };
  const three = experiment({
    metrics,
    variations: [
      { id: 0, name: 'control', weight: 34 },
      { id: 1, name: 'bundle', weight: 33 },
      { id: 2, name: 'discount', weight: 33 },
    ],
  });
  const results = experimentResults(three, 3, [
    // Control: 4.99 and 9.99 from 2 of 8 users; treatments: 11.18 + 11.18, 9.24 + 9.24.
    { ...tally(0, 8, { [PURCHASE]: 2 }), revenue: { sum: 14.98, sumSquares: 4.99 ** 2 + 9.99 ** 2 } },
    { ...tally(1, 2, { [PURCHASE]: 2 }), revenue: { sum: 22.36, sumSquares: 2 * 11.18 ** 2 } },
    { ...tally(2, 2, { [PURCHASE]: 2 }), revenue: { sum: 18.48, sumSquares: 2 * 9.24 ** 2 } },
  ]);
  for (const v of results.variations) {
    const m = v.metrics[PURCHASE];
    t.true(m?.smallSample, `arm ${v.variationId}`);
    t.regex(m?.smallSampleReason ?? '', /^too few expected conversions or non-conversions to compare/);
    t.true(v.revenue?.smallSample, `revenue of arm ${v.variationId}`);
    t.regex(v.revenue?.smallSampleReason ?? '', /too few users: \d+; a revenue interval needs at least 30/);
    t.is(v.revenue?.interval, null, `no revenue interval for arm ${v.variationId}`);
    if (v.control) continue;
    const vs = m?.versusControl;
    t.like(vs, {
      smallSample: true,
      pValue: null,
      pValueHolm: null,
      upliftInterval: null,
      sequentialPValue: null,
      sequentialInterval: null,
    });
    // At the pooled rate of 4 in 10, each arm must expect 5 conversions and 5 non-conversions.
    t.is(
      vs?.smallSampleReason,
      'too few expected conversions or non-conversions to compare: at the pooled rate of 40 %, control expects 3.2 conversions and 4.8 non-conversions of 8 users, this arm expects 0.8 conversions and 1.2 non-conversions of 2 users; the normal approximation needs at least 5 of each in each arm',
    );
    t.is(vs?.difference, 0.75, 'the point estimate stays');
    t.like(v.revenue?.versusControl, { smallSample: true, differenceInterval: null, upliftInterval: null });
    t.is(v.verdict, 'inconclusive');
  }
  t.true(
    results.armVersusArm.length === 3 &&
      results.armVersusArm.every((p) => p.smallSample && p.pValue === null),
  );
});

test('large arms are not flagged, and a revenue interval never goes below 0', (t) => {
  const metrics = { primary: PURCHASE, secondary: [], primaryValue: 'revenue' };
  // One payer of 100 among 30 users: mean 3.3333, the normal interval's low end −3.20.
  const results = experimentResults(experiment({ metrics }), 3, [
    { ...tally(0, 30, { [PURCHASE]: 10 }), revenue: { sum: 100, sumSquares: 10000 } },
    { ...tally(1, 30, { [PURCHASE]: 12 }), revenue: { sum: 100, sumSquares: 10000 } },
  ]);
  const [control, arm] = results.variations;
  t.false(control?.metrics[PURCHASE]?.smallSample);
  t.false(arm?.metrics[PURCHASE]?.versusControl?.smallSample);
  t.not(arm?.metrics[PURCHASE]?.versusControl?.pValue, null);
  t.false(control?.revenue?.smallSample);
  t.is(control?.revenue?.interval?.low, 0);
  t.is(control?.revenue?.interval?.high, 9.8665);
});

test('weights changed from 20/80 to 50/50 with 43/157 users assigned at 20/80: no sample ratio mismatch', (t) => {
  const fifty = experiment({
    variations: [
      { id: 0, name: 'control', weight: 50 },
      { id: 1, name: 'hero', weight: 50 },
    ],
  });
  const atTwentyEighty = (id: number, users: number): VariationTally => ({
    ...tally(id, users, {}),
    usersBySplit: [{ weights: '0:20,1:80', users }],
  });
  const results = experimentResults(fifty, 3, [atTwentyEighty(0, 43), atTwentyEighty(1, 157)]);
  t.false(results.sampleRatio?.mismatch, `p ${results.sampleRatio?.pValue}`);
  t.deepEqual(
    results.sampleRatio?.counts.map((c) => c.expected),
    [40, 160],
    'each user against the weights they were assigned under',
  );
  // 100 more users after the change, 52/48: the expected counts are the mixture of both splits.
  const mixed = experimentResults(fifty, 3, [
    {
      ...tally(0, 95, {}),
      usersBySplit: [
        { weights: '0:20,1:80', users: 43 },
        { weights: '0:50,1:50', users: 52 },
      ],
    },
    {
      ...tally(1, 205, {}),
      usersBySplit: [
        { weights: '0:20,1:80', users: 157 },
        { weights: '0:50,1:50', users: 48 },
      ],
    },
  ]);
  t.deepEqual(
    mixed.sampleRatio?.counts.map((c) => c.expected),
    [90, 210],
  );
  t.false(mixed.sampleRatio?.mismatch);
  // Assignments without a recorded split are read as made under the current weights (as before).
  const legacy = experimentResults(fifty, 3, [tally(0, 43, {}), tally(1, 157, {})]);
  t.true(legacy.sampleRatio?.mismatch);
});

test('a variation removed after a weight change: each split is read over the variations left, no false mismatch', (t) => {
  // 50,000 users at 10/10/80, then variation 2 removed and 20,000 more at 75/25. Users of
  // the variations left: 20,000 and 10,000, exactly what the two splits give them.
  const now = experiment({
    variations: [
      { id: 0, name: 'control', weight: 75 },
      { id: 1, name: 'hero', weight: 25 },
    ],
  });
  const results = experimentResults(now, 3, [
    {
      ...tally(0, 20_000, {}),
      usersBySplit: [
        { weights: '0:10,1:10,2:80', users: 5_000 },
        { weights: '0:75,1:25', users: 15_000 },
      ],
    },
    {
      ...tally(1, 10_000, {}),
      usersBySplit: [
        { weights: '0:10,1:10,2:80', users: 5_000 },
        { weights: '0:75,1:25', users: 5_000 },
      ],
    },
    { ...tally(2, 40_000, {}), usersBySplit: [{ weights: '0:10,1:10,2:80', users: 40_000 }] },
  ]);
  t.deepEqual(
    results.sampleRatio?.counts.map((c) => [c.variationId, c.users, c.expected]),
    [
      [0, 20_000, 20_000],
      [1, 10_000, 10_000],
    ],
  );
  t.like(results.sampleRatio, { statistic: 0, mismatch: false });
});
