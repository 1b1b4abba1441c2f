import type { Experiment } from './banner-types.js';
import type { VariationTally } from './experiment-results.js';
import { round4, roundP, type SmallSample } from './metric-comparison.js';
import { sharesOf } from './split.js';
import { chiSquareGoodnessOfFit } from './statistics.js';

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

/**
 * Chi-square of assigned users against the weights each was assigned under. Users are
 * grouped by the split stored with their assignment (the current weights for one without);
 * each group of n_s users expects n_s · share_s(v) of them in variation v, and the expected
 * count of v is the sum over the groups: the mixture of the splits in force over time. With
 * one split, as without any weight change, it is the plain test against the weights.
 * The variations tested: those with a weight now, and any a stored split gave a share.
 * A group's shares are renormalised over the variations still in the rules: its users counted
 * here are only those in them (an outside probe saw a perfect split after a weight change and
 * a removed variation reported as a mismatch, p 1e-7, when each split kept its removed share).
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
      let kept = 0;
      for (const [id, share] of shares) if (share > 0 && declared.has(id)) kept += share;
      if (!(kept > 0)) continue;
      for (const [id, share] of shares) {
        if (share > 0 && declared.has(id))
          expected.set(id, (expected.get(id) ?? 0) + (g.users * share) / kept);
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

/** Why sampleRatio() gave no check (it is null), for a person. */
export function sampleRatioAbsence(
  experiment: Experiment,
  byId: ReadonlyMap<number, VariationTally>,
): string {
  const weighted = experiment.variations.filter((v) => v.weight > 0);
  if (weighted.length < 2)
    return `only ${weighted.length === 1 ? 'one variation has' : 'no variation has'} a weight: there is no split to check`;
  const users = weighted.reduce((n, v) => n + (byId.get(v.id)?.users ?? 0), 0);
  return users === 0 ? 'nobody assigned to a weighted variation yet: no split to check' : 'no split to check';
}
