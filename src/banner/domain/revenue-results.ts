import type { VariationTally } from './experiment-results.js';
import { ALPHA, round4, roundP, type SmallSample } from './metric-comparison.js';
import { compareRevenue, type RevenueSums, revenueEstimate } from './revenue.js';
import type { Interval } from './statistics.js';
import { revenueSprt } from './verdict.js';

/**
 * Revenue per user of one variation (4 decimals), against control for treated arms.
 * Flagged small (SmallSample) under MIN_REVENUE_USERS users in the arm (or, against
 * control, in either arm): its intervals are then null, the means and difference stay.
 */
export interface RevenueResult extends SmallSample {
  /** The event property summed. */
  value: string;
  perUser: number;
  /** 95 % normal-approximation interval of the mean per user, never below 0; null when small. */
  interval: Interval | null;
  versusControl:
    | (SmallSample & {
        difference: number;
        /** Welch standard error, normal quantile. */
        differenceInterval: Interval | null;
        uplift: number | null;
        /** Delta method on the log ratio of means. */
        upliftInterval: Interval | null;
        /** Two-sided p of the difference (Welch z); null when small. */
        pValue: number | null;
        /**
         * The always-valid (mSPRT) p-value the verdict judges, valid however often the results
         * are read; null when small. Only the verdict's reason named it (account-manager probe).
         */
        sequentialPValue: number | null;
      })
    | null;
}

const round = (i: Interval | null): Interval | null => i && { low: round4(i.low), high: round4(i.high) };
export const sumsOf = (t: VariationTally): RevenueSums => ({
  users: t.users,
  sum: t.revenue?.sum ?? 0,
  sumSquares: t.revenue?.sumSquares ?? 0,
});

/** Per arm (index 0: control) its revenue per user, or nulls without a value property. */
export function revenueResults(
  value: string | null | undefined,
  arms: readonly VariationTally[],
): (RevenueResult | null)[] {
  // A store that keeps no event values leaves `revenue` out: report nothing rather than 0.
  if (!value || !arms.some((t) => t.revenue)) return arms.map(() => null);
  const control = arms[0] ? sumsOf(arms[0]) : null;
  return arms.map((t, i) => {
    const estimate = revenueEstimate(sumsOf(t));
    if (!estimate) return null;
    const vs = i === 0 || !control ? null : compareRevenue(control, sumsOf(t));
    return {
      value,
      smallSample: estimate.smallSample !== null,
      smallSampleReason: estimate.smallSample,
      perUser: round4(estimate.perUser),
      interval: estimate.smallSample ? null : round(estimate.interval),
      versusControl: vs && {
        smallSample: vs.smallSample !== null,
        smallSampleReason: vs.smallSample,
        difference: round4(vs.difference),
        differenceInterval: vs.smallSample ? null : round(vs.differenceInterval),
        uplift: vs.uplift === null ? null : round4(vs.uplift),
        upliftInterval: vs.smallSample ? null : round(vs.upliftInterval),
        pValue: vs.smallSample || vs.pValue === null ? null : roundP(vs.pValue),
        sequentialPValue: vs.smallSample ? null : sequentialP(control, sumsOf(t)),
      },
    };
  });
}

/** The verdict's always-valid p of an arm against control (null without a test). */
function sequentialP(control: RevenueSums | null, arm: RevenueSums): number | null {
  const test = control && revenueSprt(control, arm, ALPHA);
  return test ? roundP(test.pValue) : null;
}
