import test from 'ava';
import { erf, normalCdf, twoProportionZTest } from '../../../src/banner/domain/statistics.js';

const close = (actual: number, expected: number, tolerance = 2e-7) =>
  Math.abs(actual - expected) <= tolerance;

test('erf matches reference values within the approximation error (1.5e-7)', (t) => {
  const reference: [number, number][] = [
    [0, 0],
    [0.5, 0.5204998778130465],
    [1, 0.8427007929497149],
    [2, 0.9953222650189527],
    [-1, -0.8427007929497149],
  ];
  for (const [x, expected] of reference) t.true(close(erf(x), expected), `erf(${x}) = ${erf(x)}`);
});

test('the normal CDF gives the textbook quantiles', (t) => {
  t.true(close(normalCdf(0), 0.5));
  t.true(close(normalCdf(1.96), 0.9750021048517796));
  t.true(close(normalCdf(3), 0.9986501019683699));
  t.true(close(normalCdf(-1.6448536269514722), 0.05));
});

test('two-proportion z-test: two-sided p-values of known cases', (t) => {
  const cases: [number, number, number, number, number, number][] = [
    // control successes/trials, variant successes/trials, z, p (computed with erfc in double precision)
    [100, 1000, 130, 1000, 2.102740605622114, 0.03548845046647473],
    [10, 200, 30, 200, 3.3333333333333326, 0.0008581206663936785],
    [120, 1000, 100, 1000, -1.4293008498232314, 0.1529177818639462],
    [50, 500, 50, 500, 0, 1],
  ];
  for (const [a, n1, b, n2, z, p] of cases) {
    const result = twoProportionZTest({ successes: a, trials: n1 }, { successes: b, trials: n2 });
    t.truthy(result);
    t.true(close(result?.z ?? Number.NaN, z, 1e-9), `z for ${b}/${n2} vs ${a}/${n1}`);
    t.true(close(result?.pValue ?? Number.NaN, p, 5e-7), `p for ${b}/${n2} vs ${a}/${n1}: ${result?.pValue}`);
  }
});

test('the test is undefined for an empty group or when nobody (or everybody) converted', (t) => {
  t.is(twoProportionZTest({ successes: 0, trials: 0 }, { successes: 1, trials: 10 }), null);
  t.is(twoProportionZTest({ successes: 0, trials: 10 }, { successes: 0, trials: 10 }), null);
  t.is(twoProportionZTest({ successes: 10, trials: 10 }, { successes: 5, trials: 5 }), null);
});
