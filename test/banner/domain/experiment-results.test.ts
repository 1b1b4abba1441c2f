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
  // Same per-user revenues as test/banner/domain/revenue.test.ts (numpy/scipy reference there).
  const metrics = { primary: PURCHASE, secondary: [], primaryValue: 'price' };
  const results = experimentResults(experiment({ metrics }), 3, [
    { ...tally(0, 10, { [PURCHASE]: 3 }), revenue: { sum: 15.97, sumSquares: 125.6803 } },
    { ...tally(1, 12, { [PURCHASE]: 4 }), revenue: { sum: 30.96, sumSquares: 450.3804 } },
  ]);
  t.deepEqual(results.variations[0]?.revenue, {
    value: 'price',
    perUser: 1.597,
    interval: { low: -0.4708, high: 3.6648 },
    versusControl: null,
  });
  t.deepEqual(results.variations[1]?.revenue, {
    value: 'price',
    perUser: 2.58,
    interval: { low: -0.7037, high: 5.8637 },
    versusControl: {
      difference: 0.983,
      differenceInterval: { low: -2.8975, high: 4.8635 },
      uplift: 0.6155,
      upliftInterval: { low: -0.7371, high: 8.927 },
    },
  });
  t.is(experimentResults(experiment(), 3, []).variations[0]?.revenue, null, 'no value property, no revenue');
  const unstored = experimentResults(experiment({ metrics }), 3, [tally(0, 10, {}), tally(1, 12, {})]);
  t.is(unstored.variations[1]?.revenue, null, 'no stored values: no revenue, not a made-up 0');
});
