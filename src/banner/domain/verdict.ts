import { ALPHA, round4, roundP, type Verdict } from './metric-comparison.js';
import { type RevenueSums, revenueEstimate, revenueTooFew } from './revenue.js';
import { mixtureSprt, msprt, type SequentialTest } from './sequential-test.js';
import { type Proportion, tooFewToCompare } from './statistics.js';

/** Which figure the verdicts judge: the declared primary metric, as the rules declare it. */
export type VerdictBasis = 'conversionRate' | 'revenuePerUser';

/** A treated arm's verdict with the sentence that says why, for a person. */
export interface ArmVerdict {
  verdict: Verdict;
  reason: string;
}

/**
 * τ of the revenue test in standard deviations of revenue per user (pooled over the two
 * arms): the same effect size as the conversion test's τ = 0.02 at a 5 % rate (0.02 / √(0.05
 * · 0.95) = 0.09 standard deviations), and free of the currency's scale. The standard
 * deviation is estimated from the data, as the conversion test's variance is.
 */
export const REVENUE_MIXING_SDS = 0.1;

const signed = (x: number): string => `${x > 0 ? '+' : ''}${round4(x)}`;

/** Winning or losing when the always-valid p-value is at most α/m, with the figures that say so. */
function call(test: SequentialTest | null, threshold: number, what: string): ArmVerdict {
  if (!test)
    return { verdict: 'inconclusive', reason: `${what}: no variation in either arm yet, nothing to test` };
  const figures = `difference ${signed(test.difference)}, always-valid p ${roundP(test.pValue)}`;
  if (test.pValue > threshold)
    return {
      verdict: 'inconclusive',
      reason: `${what}: ${figures} > ${roundP(threshold)}: not enough evidence yet`,
    };
  return {
    verdict: test.difference > 0 ? 'winning' : 'losing',
    reason: `${what}: ${figures} ≤ ${roundP(threshold)}`,
  };
}

/**
 * The verdict of each treated arm on the conversion rate (index 0: control), from the
 * always-valid test: winning or losing when its sequential p-value is at most α/m
 * (Bonferroni over the m treated arms, which stays valid for always-valid p-values).
 */
export function conversionVerdicts(event: string, arms: readonly Proportion[]): ArmVerdict[] {
  const [control, ...treated] = arms;
  const threshold = ALPHA / treated.length;
  const what = `conversion rate of ${event}`;
  return treated.map((arm) => {
    const empty = emptyArm(control?.trials ?? 0, arm.trials);
    if (empty || !control) return { verdict: 'inconclusive', reason: empty ?? 'no control arm' };
    // Too small for the normal approximation: nothing to call, however the test reads.
    const small = tooFewToCompare(control, arm);
    if (small) return { verdict: 'inconclusive', reason: `${what}: ${small}` };
    return call(msprt(control, arm, threshold), threshold, what);
  });
}

/**
 * The mSPRT of an arm's revenue per user against control's (difference of means, Welch
 * variance, mixing prior REVENUE_MIXING_SDS pooled SDs wide): the verdicts' test, and the
 * always-valid p-value the results show beside it. Null when either arm has no estimate.
 */
export function revenueSprt(control: RevenueSums, arm: RevenueSums, alpha: number): SequentialTest | null {
  const c = revenueEstimate(control);
  const a = revenueEstimate(arm);
  if (!c || !a || control.users + arm.users <= 2) return null;
  const pooledSd = Math.sqrt(
    (c.variance * (control.users - 1) + a.variance * (arm.users - 1)) / (control.users + arm.users - 2),
  );
  return mixtureSprt(
    a.perUser - c.perUser,
    a.variance / arm.users + c.variance / control.users,
    alpha,
    REVENUE_MIXING_SDS * pooledSd,
  );
}

/**
 * The verdict of each treated arm on revenue per user, when the primary metric declares a
 * value: the mSPRT of the difference of means (Welch variance, normal approximation; every
 * arm needs MIN_REVENUE_USERS users), Bonferroni over the arms as for conversions. When the
 * conversion rate (`conversions`, same arms) moved significantly the other way, the reason
 * says so: more buyers who spend less is a loss of revenue, and it is reported as one.
 */
export function revenueVerdicts(
  label: string,
  arms: readonly RevenueSums[],
  conversions: readonly Proportion[],
): ArmVerdict[] {
  const [control, ...treated] = arms;
  const threshold = ALPHA / treated.length;
  const what = `revenue per user (${label})`;
  const byConversion = conversionVerdicts(label, conversions);
  return treated.map((arm, i) => {
    const empty = emptyArm(control?.users ?? 0, arm.users);
    if (empty || !control) return { verdict: 'inconclusive', reason: empty ?? 'no control arm' };
    const small = revenueTooFew(control.users, arm.users);
    if (small) return { verdict: 'inconclusive', reason: `${what}: ${small}` };
    const judged = call(revenueSprt(control, arm, threshold), threshold, what);
    const conversion = byConversion[i];
    const opposite =
      conversion && conversion.verdict !== 'inconclusive' && conversion.verdict !== judged.verdict;
    if (!opposite) return judged;
    const figures = conversion.reason.slice(conversion.reason.indexOf(': ') + 2).replace(/ ≤ [^ ]+$/, '');
    return {
      verdict: judged.verdict,
      reason: `${judged.reason}; the conversion rate alone would say ${conversion.verdict} (${figures}), but the verdict judges the declared metric, revenue per user`,
    };
  });
}

/** An arm without users has nothing to judge; say which. */
function emptyArm(controlUsers: number, armUsers: number): string | null {
  if (armUsers <= 0) return 'this arm has no users: nothing to compare';
  if (controlUsers <= 0) return 'control has no users: nothing to compare with';
  return null;
}
