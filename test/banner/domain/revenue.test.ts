import test from 'ava';
import { compareRevenue, type RevenueSums, revenueEstimate } from '../../../src/banner/domain/revenue.js';

// Per-user revenue of every assigned user (non-converters 0). The expected values were
// computed independently from these raw lists with numpy 2 / scipy 1.17.1:
// x.mean(), x.var(ddof=1), mean ± norm.ppf(0.975)·√(s²/n); Welch's standard error
// (its t statistic equals scipy.stats.ttest_ind(arm, control, equal_var=False), 0.4964953931);
// the uplift interval as exp(ln(m₁/m₀) ± z·√(s₁²/(n₁m₁²) + s₀²/(n₀m₀²))) − 1.
const control = [0, 0, 0, 0, 0, 0, 0, 4.99, 9.99, 0.99];
const arm = [0, 0, 0, 0, 0, 0, 0, 0, 19.99, 4.99, 4.99, 0.99];
const sums = (xs: number[]): RevenueSums => ({
  users: xs.length,
  sum: xs.reduce((s, x) => s + x, 0),
  sumSquares: xs.reduce((s, x) => s + x * x, 0),
});
const near = (actual: number | undefined, expected: number) =>
  Math.abs((actual ?? Number.NaN) - expected) < 1e-6;

test('revenue per user, its variance and 95 % interval match numpy/scipy', (t) => {
  const c = revenueEstimate(sums(control));
  t.true(near(c?.perUser, 1.597));
  t.true(near(c?.variance, 11.13069));
  // numpy: −0.4708028745727164; revenue per user is never negative, so the bound is 0.
  t.is(c?.interval?.low, 0);
  t.true(near(c?.interval?.high, 3.6648028745727164));
  const a = revenueEstimate(sums(arm));
  t.true(near(a?.perUser, 2.58));
  t.true(near(a?.variance, 33.682145454545456));
  // numpy: −0.7036536403355411, clamped at 0 likewise.
  t.is(a?.interval?.low, 0);
  t.true(near(a?.interval?.high, 5.86365364033554));
});

test('difference (Welch) and uplift (delta method on the log ratio) against control match numpy/scipy', (t) => {
  const r = compareRevenue(sums(control), sums(arm));
  t.true(near(r?.difference, 0.983));
  t.true(near(r?.differenceInterval?.low, -2.8974883658864434));
  t.true(near(r?.differenceInterval?.high, 4.863488365886443));
  t.true(near(r?.uplift ?? undefined, 0.615529117094552));
  t.true(near(r?.upliftInterval?.low, -0.7370860393946892));
  t.true(near(r?.upliftInterval?.high, 8.926952232477166));
});

test('an arm under 30 users is flagged small for revenue, with the reason', (t) => {
  t.is(
    revenueEstimate(sums(control))?.smallSample,
    'too few users: 10; a revenue interval needs at least 30 users per arm',
  );
  t.is(revenueEstimate(sums([...arm, ...arm, ...arm]))?.smallSample, null);
  t.is(
    compareRevenue(sums(control), sums(arm))?.smallSample,
    'too few users to compare (control: 10 users; this arm: 12 users; a revenue interval needs at least 30 users per arm)',
    'each count once, the floor once',
  );
});

test('no users: no estimate; one user: a mean but no interval; zero control revenue: no uplift', (t) => {
  t.is(revenueEstimate({ users: 0, sum: 0, sumSquares: 0 }), null);
  const one = revenueEstimate({ users: 1, sum: 5, sumSquares: 25 });
  t.is(one?.perUser, 5);
  t.is(one?.interval, null);
  const r = compareRevenue({ users: 4, sum: 0, sumSquares: 0 }, sums(arm));
  t.is(r?.uplift, null);
  t.is(r?.upliftInterval, null);
  t.true(near(r?.difference, 2.58));
});
