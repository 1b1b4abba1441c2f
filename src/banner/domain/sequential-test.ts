import type { Interval, Proportion } from './statistics.js';

/**
 * The mixture sequential probability ratio test (mSPRT) of Johari, Koomen, Pekelis
 * and Walsh, "Always Valid Inference: Continuous Monitoring of A/B Tests" (Operations
 * Research 70(3), 2022; KDD 2017 "Peeking at A/B tests"), for the difference of two
 * conversion rates, with the normal approximation and a normal mixing distribution
 * N(0, τ²) over the true difference θ.
 *
 * With θ̂ = rate_b − rate_a and V = rate_a(1−rate_a)/n_a + rate_b(1−rate_b)/n_b, the
 * mixture likelihood ratio against θ = θ₀ is
 *     Λ = √(V/(V+τ²)) · exp(τ²(θ̂−θ₀)² / (2V(V+τ²))).
 * Under the null, Λ is a martingale, so by Ville's inequality P(ever Λ ≥ 1/α) ≤ α:
 * 1/Λ is a p-value valid at every look, however often the results are read. The
 * running minimum would be sharper; we keep no history and report the current value,
 * which is larger, hence still valid.
 */

/**
 * τ, the standard deviation of the mixing distribution over the true difference of
 * rates: the effect size the test is most sensitive to. 0.02 (two percentage points)
 * suits offer conversion rates of a few percent; a smaller τ favours small effects at
 * the price of more users to detect large ones.
 */
export const MIXING_SD = 0.02;

export interface SequentialTest {
  /** θ̂: rate_b − rate_a. */
  difference: number;
  /** Always-valid p-value for θ = 0 (1/Λ, at most 1). */
  pValue: number;
  /** Always-valid (1−α) confidence sequence for θ: the θ₀ that are not rejected. */
  interval: Interval;
}

function varianceOf(p: Proportion): number {
  const rate = p.successes / p.trials;
  return (rate * (1 - rate)) / p.trials;
}

/**
 * The mSPRT of `b` against `a` at level `alpha`; null when either group is empty or
 * both rates are 0 or 1 (no variance, nothing to learn yet).
 */
export function msprt(a: Proportion, b: Proportion, alpha = 0.05, tau = MIXING_SD): SequentialTest | null {
  if (a.trials <= 0 || b.trials <= 0) return null;
  const difference = b.successes / b.trials - a.successes / a.trials;
  return mixtureSprt(difference, varianceOf(a) + varianceOf(b), alpha, tau);
}

/**
 * The same test for any difference of two means estimated by `difference` with variance
 * `v` (normal approximation): null without variance. Revenue per user uses it with a
 * mixing standard deviation on its own scale (revenue-verdict.ts).
 */
export function mixtureSprt(
  difference: number,
  v: number,
  alpha: number,
  tau: number,
): SequentialTest | null {
  if (!(v > 0) || !(tau > 0)) return null;
  const t2 = tau * tau;
  const logLambda = 0.5 * Math.log(v / (v + t2)) + (t2 * difference * difference) / (2 * v * (v + t2));
  const pValue = Math.min(1, Math.exp(-logLambda));
  // Λ(θ₀) < 1/α  ⇔  (θ̂−θ₀)² < 2V(V+τ²)/τ² · (ln(1/α) + ½·ln((V+τ²)/V)).
  const half = Math.sqrt(((2 * v * (v + t2)) / t2) * (Math.log(1 / alpha) + 0.5 * Math.log((v + t2) / v)));
  return { difference, pValue, interval: { low: difference - half, high: difference + half } };
}
