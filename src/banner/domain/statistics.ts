/**
 * The error function, Abramowitz & Stegun 7.1.26: absolute error below 1.5e-7, which
 * is far finer than any decision taken on a p-value.
 */
export function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const ax = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * ax);
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return sign * (1 - poly * Math.exp(-ax * ax));
}

/** P(Z <= z) for a standard normal Z. */
export function normalCdf(z: number): number {
  return 0.5 * (1 + erf(z / Math.SQRT2));
}

export interface Proportion {
  /** Units that converted. */
  successes: number;
  /** Units observed. */
  trials: number;
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
  const pValue = Math.min(1, Math.max(0, 2 * (1 - normalCdf(Math.abs(z)))));
  return { z, pValue };
}
