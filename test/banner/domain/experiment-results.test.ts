import test from 'ava';
import type { Experiment } from '../../../src/banner/domain/banner-types.js';
import { experimentResults } from '../../../src/banner/domain/experiment-results.js';

const experiment: Experiment = {
  id: 'spring',
  description: '',
  status: 'running',
  bucketVersion: 3,
  trafficAllocation: 80,
  occasion: null,
  hasEligibility: false,
  hashVersion: 1,
  controlBanner: false,
  metrics: { primary: null, secondary: [] },
  variations: [
    { id: 0, name: 'control', weight: 50 },
    { id: 1, name: 'hero', weight: 50 },
    { id: 2, name: 'unused', weight: 0 },
  ],
};

test('rates, uplift and the p-value against control per event; control has no test', (t) => {
  const results = experimentResults(experiment, 3, [
    {
      variationId: 0,
      users: 1000,
      exposures: 2500,
      conversions: [{ event: 'SpecialOfferPopupPurchased', users: 100 }],
    },
    {
      variationId: 1,
      users: 1000,
      exposures: 2400,
      conversions: [
        { event: 'SpecialOfferPopupPurchased', users: 130 },
        { event: 'AppStart', users: 900 },
      ],
    },
  ]);
  t.deepEqual(results.events, ['AppStart', 'SpecialOfferPopupPurchased']);
  const [control, hero, unused] = results.variations;
  t.like(control, { variationId: 0, control: true, users: 1000, exposures: 2500 });
  t.deepEqual(control?.conversions.SpecialOfferPopupPurchased, {
    users: 100,
    rate: 0.1,
    uplift: null,
    z: null,
    pValue: null,
  });
  const purchased = hero?.conversions.SpecialOfferPopupPurchased;
  t.is(purchased?.users, 130);
  t.is(purchased?.rate, 0.13);
  t.true(Math.abs((purchased?.uplift ?? 0) - 0.3) < 1e-9);
  t.true(Math.abs((purchased?.pValue ?? 0) - 0.0354885) < 1e-6);
  t.is(hero?.conversions.AppStart?.uplift, null, 'no uplift against a zero control rate');
  t.like(unused, { variationId: 2, users: 0, exposures: 0, weight: 0 });
  t.is(unused?.conversions.SpecialOfferPopupPurchased?.rate, null);
  t.is(results.bucketVersion, 3);
});

test('variations removed from the rules still show their stored users', (t) => {
  const results = experimentResults(experiment, 3, [
    { variationId: 7, users: 4, exposures: 9, conversions: [] },
  ]);
  t.like(results.variations.at(-1), {
    variationId: 7,
    name: '(removed from the rules)',
    users: 4,
    weight: null,
  });
});
