import { CONTROL_VARIATION, type Experiment, isHousekeepingEvent } from './banner-types.js';
import {
  armVersusArm,
  type MetricResult,
  metricResults,
  type PairComparison,
  round4,
  roundP,
  type SmallSample,
  type Verdict,
  verdicts,
} from './metric-comparison.js';
import { compareRevenue, type RevenueSums, revenueEstimate } from './revenue.js';
import { sharesOf } from './split.js';
import { chiSquareGoodnessOfFit, type Interval, type Proportion } from './statistics.js';

/** Raw counts of one variation, as the store keeps them. */
export interface VariationTally {
  variationId: number;
  /** Users assigned to the variation. */
  users: number;
  /** The earliest assignment of the variation (ISO 8601); null when it has no users. */
  firstAssignedAt: string | null;
  /** Banner renders served to them. */
  exposures: number;
  /** Per event name: distinct assigned users who tracked it after their assignment. */
  conversions: { event: string; users: number }[];
  /**
   * Revenue of the primary metric's value property: Σ and Σ² over assigned users of
   * each user's summed value of converting events after assignment; absent when the
   * store was not asked for it.
   */
  revenue?: { sum: number; sumSquares: number };
  /**
   * The variation's users by the split they were assigned under (Assignment.weights; null:
   * not recorded, read as the current split). Absent: all under the current split.
   */
  usersBySplit?: { weights: string | null; users: number }[];
}

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
      })
    | null;
}

export interface VariationResult {
  variationId: number;
  name: string;
  control: boolean;
  weight: number | null;
  users: number;
  exposures: number;
  /** Per metric (primary first, then secondary). */
  metrics: Record<string, MetricResult>;
  /** On the primary metric; null for control, or when no primary metric is declared. */
  verdict: Verdict | null;
  /** Revenue per user when the primary metric names a value property, else null. */
  revenue: RevenueResult | null;
}

/** Sample-ratio mismatch: were users assigned in the declared proportions? */
export interface SampleRatio extends SmallSample {
  statistic: number;
  df: number;
  /** Null when flagged small: the chi-square approximation does not hold there. */
  pValue: number | null;
  /**
   * p < 0.001: the split is broken (bucketing, eligibility drift, or lost assignments); no
   * verdict holds. Never with a small sample, whose p-value would not be one.
   */
  mismatch: boolean;
  counts: { variationId: number; users: number; expected: number }[];
}

export interface ExperimentResults {
  experimentId: string;
  status: Experiment['status'];
  bucketVersion: number;
  hashVersion: number;
  trafficAllocation: number;
  /** The first assignment of this bucket version (ISO 8601), null before anyone entered. */
  startedAt: string | null;
  users: number;
  /** The primary metric decides the verdicts; null when the rules declare none. */
  primaryMetric: string | null;
  /** Declared secondary metrics, or with no declaration every tracked event but housekeeping. */
  secondaryMetrics: string[];
  sampleRatio: SampleRatio | null;
  variations: VariationResult[];
  /** Every pair of arms on the primary metric (or the first secondary one without a primary). */
  armVersusArm: PairComparison[];
}

/** Below this p the split is called broken (issue 19; the industry's usual SRM threshold). */
export const SRM_THRESHOLD = 0.001;
/**
 * The chi-square test needs every expected count at 5 or more (the textbook rule). Below,
 * it cries wolf: 3 of 5 users in a 10 % arm give chi-square p = 0.0002, a "mismatch", where
 * the exact binomial chance of 3 or more is 0.0086.
 */
export const SRM_MIN_EXPECTED = 5;

/** Why the split check cannot speak yet, or null. */
function srmSmallSample(expected: readonly number[]): string | null {
  const least = Math.min(...expected);
  return least < SRM_MIN_EXPECTED
    ? `an arm expects ${round4(least)} users; the split check needs ${SRM_MIN_EXPECTED} or more in every arm`
    : null;
}

const EMPTY = (variationId: number): VariationTally => ({
  variationId,
  users: 0,
  firstAssignedAt: null,
  exposures: 0,
  conversions: [],
});

function metricsOf(experiment: Experiment, tallies: readonly VariationTally[]) {
  const { primary, secondary } = experiment.metrics;
  if (primary !== null) return { primary, secondary: [...secondary] };
  const tracked = tallies.flatMap((t) => t.conversions.map((c) => c.event));
  return { primary, secondary: [...new Set(tracked)].filter((e) => !isHousekeepingEvent(e)).sort() };
}

function proportion(tally: VariationTally, event: string): Proportion {
  return { successes: tally.conversions.find((c) => c.event === event)?.users ?? 0, trials: tally.users };
}

/**
 * Chi-square of assigned users against the weights each was assigned under. Users are
 * grouped by the split stored with their assignment (the current weights for one without);
 * each group of n_s users expects n_s · share_s(v) of them in variation v, and the expected
 * count of v is the sum over the groups: the mixture of the splits in force over time. With
 * one split, as without any weight change, it is the plain test against the weights.
 * The variations tested: those with a weight now, and any a stored split gave a share.
 */
export function sampleRatio(
  experiment: Experiment,
  byId: ReadonlyMap<number, VariationTally>,
): SampleRatio | null {
  const total = experiment.variations.reduce((s, v) => s + Math.max(0, v.weight), 0);
  const current = new Map(experiment.variations.map((v) => [v.id, total > 0 ? v.weight / total : 0]));
  const expected = new Map<number, number>();
  for (const [id, share] of current) if (share > 0) expected.set(id, 0);
  const declared = new Set(current.keys());
  for (const t of byId.values()) {
    if (!declared.has(t.variationId)) continue;
    const groups = t.usersBySplit ?? [{ weights: null, users: t.users }];
    for (const g of groups) {
      const shares = (g.weights === null ? null : sharesOf(g.weights)) ?? current;
      for (const [id, share] of shares) {
        if (share > 0 && declared.has(id)) expected.set(id, (expected.get(id) ?? 0) + g.users * share);
      }
    }
  }
  const ids = experiment.variations.map((v) => v.id).filter((id) => expected.has(id));
  const users = ids.map((id) => byId.get(id)?.users ?? 0);
  const n = users.reduce((s, u) => s + u, 0);
  const expectedCounts = ids.map((id) => expected.get(id) ?? 0);
  const assigned = expectedCounts.reduce((s, e) => s + e, 0);
  // Shares of the mixture; with no users yet, the current weights (the test is then null).
  const fit = chiSquareGoodnessOfFit(
    users,
    ids.map((id, i) => (assigned > 0 ? (expectedCounts[i] as number) / assigned : (current.get(id) ?? 0))),
  );
  if (!fit) return null;
  const expectedNow = ids.map((_, i) => (assigned > 0 ? ((expectedCounts[i] as number) * n) / assigned : 0));
  const small = srmSmallSample(expectedNow);
  return {
    smallSample: small !== null,
    smallSampleReason: small,
    statistic: round4(fit.statistic),
    df: fit.df,
    pValue: small === null ? roundP(fit.pValue) : null,
    mismatch: small === null && fit.pValue < SRM_THRESHOLD,
    counts: ids.map((id, i) => ({
      variationId: id,
      users: users[i] as number,
      expected: round4(expectedNow[i] as number),
    })),
  };
}

const round = (i: Interval | null): Interval | null => i && { low: round4(i.low), high: round4(i.high) };
const sumsOf = (t: VariationTally): RevenueSums => ({
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
      },
    };
  });
}

function earliest(tallies: readonly VariationTally[]): string | null {
  const times = tallies.map((t) => t.firstAssignedAt).filter((a): a is string => a !== null);
  return times.length === 0 ? null : times.reduce((a, b) => (Date.parse(b) < Date.parse(a) ? b : a));
}

/**
 * Results of one experiment for the assignments of `bucketVersion`: per variation its
 * users, exposures and per metric rate and interval, each treated arm against control
 * (variation 0) with Holm-adjusted and always-valid p-values, a verdict on the primary
 * metric, the sample-ratio check and every arm against every other. Variations no
 * longer in the rules but with stored users are listed too (and kept out of the tests).
 */
export function experimentResults(
  experiment: Experiment,
  bucketVersion: number,
  tallies: readonly VariationTally[],
): ExperimentResults {
  const byId = new Map(tallies.map((t) => [t.variationId, t]));
  const declared = experiment.variations.map((v) => v.id);
  const arms = [
    CONTROL_VARIATION,
    ...declared.filter((id) => id !== CONTROL_VARIATION).sort((a, b) => a - b),
  ];
  const removed = [...byId.keys()].filter((id) => !declared.includes(id)).sort((a, b) => a - b);
  const armTallies = arms.map((id) => byId.get(id) ?? EMPTY(id));
  const { primary, secondary } = metricsOf(experiment, tallies);
  const metrics = primary === null ? secondary : [primary, ...secondary];
  const perMetric = new Map(metrics.map((m) => [m, metricResults(armTallies.map((t) => proportion(t, m)))]));
  const srm = sampleRatio(experiment, byId);
  const revenue = revenueResults(experiment.metrics.primaryValue, armTallies);
  const primaryVerdicts = primary === null ? [] : verdicts(armTallies.map((t) => proportion(t, primary)));
  const variations = arms.map((id, i): VariationResult => {
    const v = experiment.variations.find((x) => x.id === id);
    const tally = armTallies[i] as VariationTally;
    let verdict: Verdict | null = i === 0 || primary === null ? null : (primaryVerdicts[i - 1] ?? null);
    if (verdict !== null && srm?.mismatch) verdict = 'inconclusive';
    return {
      variationId: id,
      name: v?.name ?? `variation-${id}`,
      control: id === CONTROL_VARIATION,
      weight: v?.weight ?? null,
      users: tally.users,
      exposures: tally.exposures,
      metrics: Object.fromEntries(metrics.map((m) => [m, perMetric.get(m)?.[i] as MetricResult])),
      verdict,
      revenue: revenue[i] ?? null,
    };
  });
  const removedResults = removed.map((id) => removedVariation(byId.get(id) ?? EMPTY(id)));
  const deciding = metrics[0];
  return {
    experimentId: experiment.id,
    status: experiment.status,
    bucketVersion,
    hashVersion: experiment.hashVersion,
    trafficAllocation: experiment.trafficAllocation,
    startedAt: earliest(tallies),
    users: tallies.reduce((s, t) => s + t.users, 0),
    primaryMetric: primary,
    secondaryMetrics: secondary,
    sampleRatio: srm,
    variations: [...variations, ...removedResults],
    armVersusArm: deciding
      ? armVersusArm(
          arms,
          armTallies.map((t) => proportion(t, deciding)),
        )
      : [],
  };
}

function removedVariation(tally: VariationTally): VariationResult {
  return {
    variationId: tally.variationId,
    name: '(removed from the rules)',
    control: false,
    weight: null,
    users: tally.users,
    exposures: tally.exposures,
    metrics: {},
    verdict: null,
    revenue: null,
  };
}

/** One line of the experiment list. */
export interface ExperimentSummary {
  experimentId: string;
  description: string;
  status: Experiment['status'];
  trafficAllocation: number;
  occasion: string | null;
  bucketVersion: number;
  hashVersion: number;
  primaryMetric: string | null;
  /** Users assigned at the current bucket version. */
  users: number;
  startedAt: string | null;
}

export function experimentSummary(
  experiment: Experiment,
  tallies: readonly VariationTally[],
): ExperimentSummary {
  return {
    experimentId: experiment.id,
    description: experiment.description,
    status: experiment.status,
    trafficAllocation: experiment.trafficAllocation,
    occasion: experiment.occasion,
    bucketVersion: experiment.bucketVersion,
    hashVersion: experiment.hashVersion,
    primaryMetric: experiment.metrics.primary,
    users: tallies.reduce((s, t) => s + t.users, 0),
    startedAt: earliest(tallies),
  };
}
