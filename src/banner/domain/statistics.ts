/**
 * The statistics experiment results are made of. Pure functions over counts; every
 * special function goes through one incomplete-gamma implementation (Numerical
 * Recipes, 3rd ed., §6.2), accurate to ~1e-14, so p-values agree with scipy to 1e-12.
 */

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0, Lanczos approximation (g = 7, n = 9): relative error ~1e-15. */
export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0] as number;
  for (let i = 1; i < LANCZOS.length; i++) sum += (LANCZOS[i] as number) / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

const EPS = 1e-15;
const MAX_ITERATIONS = 10_000;

/** P(a, x) by its series; converges fast for x < a + 1. */
function gammaPSeries(a: number, x: number): number {
  let term = 1 / a;
  let sum = term;
  for (let n = 1; n < MAX_ITERATIONS && Math.abs(term) > Math.abs(sum) * EPS; n++) {
    term *= x / (a + n);
    sum += term;
  }
  return sum * Math.exp(-x + a * Math.log(x) - lnGamma(a));
}

/** Q(a, x) by its continued fraction (modified Lentz); converges fast for x >= a + 1. */
function gammaQFraction(a: number, x: number): number {
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    d = Math.abs(d) < tiny ? tiny : d;
    c = b + an / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return Math.exp(-x + a * Math.log(x) - lnGamma(a)) * h;
}

/** The regularized upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a). */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  return x < a + 1 ? 1 - gammaPSeries(a, x) : gammaQFraction(a, x);
}

/** P(X >= x) for X chi-square distributed with `df` degrees of freedom. */
export function chiSquareSf(x: number, df: number): number {
  return gammaQ(df / 2, x / 2);
}

/** P(Z >= z) for a standard normal Z (erfc(z/√2)/2 = Q(1/2, z²/2)/2 for z >= 0). */
export function normalSf(z: number): number {
  const tail = 0.5 * gammaQ(0.5, (z * z) / 2);
  return z >= 0 ? tail : 1 - tail;
}

/** P(Z <= z) for a standard normal Z. */
export function normalCdf(z: number): number {
  return normalSf(-z);
}

/** The two-sided 95 % normal quantile, Φ⁻¹(0.975). */
export const Z95 = 1.959963984540054;

export interface Proportion {
  /** Units that converted. */
  successes: number;
  /** Units observed. */
  trials: number;
}

export interface Interval {
  low: number;
  high: number;
}

/**
 * Wilson score interval for a binomial proportion (Wilson 1927; Newcombe 1998,
 * method 3): keeps inside [0, 1] and holds its coverage at small counts, where the
 * textbook ± z·√(p(1-p)/n) does not. Null for no trials.
 */
export function wilsonInterval(p: Proportion, z = Z95): Interval | null {
  const n = p.trials;
  if (n <= 0) return null;
  const rate = p.successes / n;
  const z2 = z * z;
  const centre = rate + z2 / (2 * n);
  const spread = z * Math.sqrt((rate * (1 - rate)) / n + z2 / (4 * n * n));
  const scale = 1 + z2 / n;
  return { low: Math.max(0, (centre - spread) / scale), high: Math.min(1, (centre + spread) / scale) };
}

export interface ZTest {
  z: number;
  /** Two-sided p-value. */
  pValue: number;
}

/**
 * Two-sided two-proportion z-test with the pooled standard error: is `b`'s rate
 * different from `a`'s? Null when it cannot be computed (an empty group, or a
 * pooled rate of exactly 0 or 1, where both groups are identical by construction).
 */
export function twoProportionZTest(a: Proportion, b: Proportion): ZTest | null {
  if (a.trials <= 0 || b.trials <= 0) return null;
  const pooled = (a.successes + b.successes) / (a.trials + b.trials);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / a.trials + 1 / b.trials));
  if (!(se > 0)) return null;
  const z = (b.successes / b.trials - a.successes / a.trials) / se;
  return { z, pValue: Math.min(1, 2 * normalSf(Math.abs(z))) };
}

/**
 * Interval of the relative uplift b/a − 1 by the log method for a ratio of two
 * proportions (Katz et al. 1978; Altman et al., "Statistics with Confidence", 2000,
 * ch. 7): exp(ln RR ± z·√(1/x_b − 1/n_b + 1/x_a − 1/n_a)) − 1. Null when either
 * group has no successes (the ratio is 0 or undefined).
 */
export function relativeUpliftInterval(a: Proportion, b: Proportion, z = Z95): Interval | null {
  if (a.successes <= 0 || b.successes <= 0 || a.trials <= 0 || b.trials <= 0) return null;
  const logRatio = Math.log(b.successes / b.trials / (a.successes / a.trials));
  const se = Math.sqrt(1 / b.successes - 1 / b.trials + 1 / a.successes - 1 / a.trials);
  return { low: Math.exp(logRatio - z * se) - 1, high: Math.exp(logRatio + z * se) - 1 };
}

/** Chi-square goodness of fit of observed counts against expected shares (summing to 1). */
export function chiSquareGoodnessOfFit(
  observed: readonly number[],
  shares: readonly number[],
): { statistic: number; df: number; pValue: number } | null {
  const total = observed.reduce((s, o) => s + o, 0);
  if (total <= 0 || observed.length < 2) return null;
  let statistic = 0;
  observed.forEach((o, i) => {
    const expected = total * (shares[i] ?? 0);
    statistic += expected > 0 ? (o - expected) ** 2 / expected : 0;
  });
  const df = observed.length - 1;
  return { statistic, df, pValue: chiSquareSf(statistic, df) };
}

/**
 * Holm's step-down adjustment (Holm 1979): the family-wise error rate stays at α over
 * all the p-values, less conservative than Bonferroni. Returns adjusted p-values in the
 * input order.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((x, y) => x.p - y.p);
  const adjusted = new Array<number>(m).fill(1);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}

/**
 * The usual floor of the normal approximation to a binomial (np ≥ 5 and n(1 − p) ≥ 5):
 * the z-test, the log-method uplift interval and the mSPRT all lean on it, and below it
 * their p-values and intervals are not what they claim (at 2 of 2 against 2 of 8 the
 * z-test says p 0.053 where Fisher's exact test says 0.13).
 */
export const MIN_SUCCESSES_AND_FAILURES = 5;

const share = (x: number): string => `${Number((x * 100).toPrecision(3))} %`;
const count = (x: number): string => String(Number(x.toPrecision(3)));

/**
 * Why a comparison of two arms is too small for the normal approximation, or null. The
 * rule is on the counts the test expects under its null hypothesis, the pooled rate of
 * both arms: each arm must expect at least MIN_SUCCESSES_AND_FAILURES conversions and
 * as many non-conversions. Not on the observed counts: an arm of 501 users with no
 * conversion against 26 of 538 (Fisher p 3e-8) expects 12.5 at the pooled rate, and
 * its zero is the finding, not a lack of users. `names` say which arm is which.
 */
export function tooFewToCompare(
  a: Proportion,
  b: Proportion,
  names: readonly [string, string] = ['control', 'this arm'],
): string | null {
  const trials = a.trials + b.trials;
  if (a.trials <= 0 || b.trials <= 0) return null;
  const pooled = (a.successes + b.successes) / trials;
  const short = [a, b]
    .map((arm, i) => ({
      name: names[i],
      n: arm.trials,
      yes: arm.trials * pooled,
      no: arm.trials * (1 - pooled),
    }))
    .filter((e) => e.yes < MIN_SUCCESSES_AND_FAILURES || e.no < MIN_SUCCESSES_AND_FAILURES)
    .map(
      (e) =>
        `${e.name} expects ${count(e.yes)} conversions and ${count(e.no)} non-conversions of ${e.n} users`,
    );
  if (short.length === 0) return null;
  return `too few expected conversions or non-conversions to compare: at the pooled rate of ${share(pooled)}, ${short.join(', ')}; the normal approximation needs at least ${MIN_SUCCESSES_AND_FAILURES} of each in each arm`;
}
