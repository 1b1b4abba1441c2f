import { msprt } from './sequential-test.js';
import {
  holmAdjust,
  type Interval,
  type Proportion,
  relativeUpliftInterval,
  tooFewToCompare,
  twoProportionZTest,
  wilsonInterval,
} from './statistics.js';

/** The family-wise error rate of every verdict and adjusted p-value. */
export const ALPHA = 0.05;

export type Verdict = 'winning' | 'losing' | 'inconclusive';

/** Rates, intervals and uplifts: 4 decimals for display; counts are never rounded. */
export const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;
/** p-values: 4 significant digits, so a p of 3e-7 does not read as 0. */
export const roundP = (p: number): number => Number(p.toPrecision(4));
const roundInterval = (i: Interval | null): Interval | null =>
  i && { low: round4(i.low), high: round4(i.high) };

/**
 * A small-sample flag: true, with the reason, when a comparison expects fewer than 5
 * conversions or 5 non-conversions in an arm at the pooled rate (statistics.ts,
 * tooFewToCompare). A flagged comparison shows its point estimates only: its p-values and
 * intervals are null.
 */
export interface SmallSample {
  smallSample: boolean;
  /** Why, for a person; null when not flagged. */
  smallSampleReason: string | null;
}

const flag = (reason: string | null): SmallSample => ({
  smallSample: reason !== null,
  smallSampleReason: reason,
});

/** One arm against control on one metric. */
export interface VersusControl extends SmallSample {
  /** Relative change of the rate: rate / controlRate − 1; null for a zero control rate. */
  uplift: number | null;
  /** 95 % interval of the relative uplift (log method); null while either arm has no conversion. */
  upliftInterval: Interval | null;
  /** rate − controlRate. */
  difference: number;
  /** Fixed-horizon two-sided z-test, valid only if read once at a planned sample size. */
  pValue: number | null;
  /** pValue after Holm's correction over the experiment's arms on this metric. */
  pValueHolm: number | null;
  /** Always-valid p-value (mSPRT): valid however often the results are read. */
  sequentialPValue: number | null;
  /** Always-valid 95 % confidence sequence of the difference. */
  sequentialInterval: Interval | null;
}

/**
 * The per-arm flag (SmallSample) says the arm is too small for the tests that compare it;
 * its own Wilson interval is still given, since Wilson's interval keeps its coverage at
 * small counts (Newcombe 1998), which is why it is the one used.
 */
export interface MetricResult extends SmallSample {
  /** Distinct assigned users who did the event at or after their assignment. */
  conversions: number;
  /** conversions / users; null with no users. */
  rate: number | null;
  /** 95 % Wilson interval of the rate. */
  interval: Interval | null;
  /** Null for control, and when this arm or control has no users (the flag says which). */
  versusControl: VersusControl | null;
}

type RawComparison = Omit<VersusControl, 'pValueHolm' | 'smallSample' | 'smallSampleReason'> & {
  small: string | null;
};

/**
 * Raw comparison of `arm` with `control`, before rounding and Holm; null when either has no
 * users (no rate, so no figure to give). Too small for the normal approximation
 * (tooFewToCompare): the point estimates only, every p-value and interval null.
 */
function compare(control: Proportion, arm: Proportion): RawComparison | null {
  if (control.trials <= 0 || arm.trials <= 0) return null;
  const controlRate = control.successes / control.trials;
  const rate = arm.successes / arm.trials;
  const small = tooFewToCompare(control, arm);
  const sequential = small ? null : msprt(control, arm, ALPHA);
  return {
    uplift: controlRate > 0 ? rate / controlRate - 1 : null,
    upliftInterval: small ? null : relativeUpliftInterval(control, arm),
    difference: rate - controlRate,
    pValue: small ? null : (twoProportionZTest(control, arm)?.pValue ?? null),
    sequentialPValue: sequential?.pValue ?? null,
    sequentialInterval: sequential?.interval ?? null,
    small,
  };
}

/**
 * Why an arm's comparisons are not shown, or null: it has no users, or (treated) its
 * comparison with control is too small, or (control) every comparison with it is.
 */
function armFlag(
  arm: Proportion,
  index: number,
  control: Proportion | undefined,
  raw: readonly (RawComparison | null)[],
): string | null {
  if (arm.trials <= 0) return 'no users in this arm: no rate and nothing to compare';
  if (index > 0) {
    if (!control || control.trials <= 0) return 'control has no users: nothing to compare with';
    const small = raw[index - 1]?.small ?? null;
    return (
      small &&
      `${small}: the comparison with control is not shown (the Wilson interval holds at small counts)`
    );
  }
  const compared = raw.filter((r): r is RawComparison => r !== null);
  return compared.length > 0 && compared.every((r) => r.small)
    ? 'too few expected conversions or non-conversions to compare any arm with control: see each arm'
    : null;
}

/**
 * One metric across an experiment's arms (index 0: control): per arm its rate with a
 * Wilson interval, and for every other arm the comparison with control, Holm-adjusted
 * over the arms whose comparison is large enough to be tested.
 */
export function metricResults(arms: readonly Proportion[]): MetricResult[] {
  const [control, ...treated] = arms;
  const raw = control ? treated.map((arm) => compare(control, arm)) : [];
  const testable = raw.map((r, i) => ({ p: r?.pValue ?? null, i })).filter((x) => x.p !== null);
  const adjusted = holmAdjust(testable.map((x) => x.p as number));
  const holm = new Map(testable.map((x, k) => [x.i, adjusted[k] as number]));
  return arms.map((arm, i) => {
    const rate = arm.trials > 0 ? arm.successes / arm.trials : null;
    const r = i === 0 ? undefined : raw[i - 1];
    return {
      ...flag(armFlag(arm, i, control, raw)),
      conversions: arm.successes,
      rate: rate === null ? null : round4(rate),
      interval: roundInterval(wilsonInterval(arm)),
      versusControl: r ? present(r, holm.get(i - 1) ?? null) : null,
    };
  });
}

function present(r: RawComparison, holm: number | null): VersusControl {
  return {
    ...flag(r.small),
    uplift: r.uplift === null ? null : round4(r.uplift),
    upliftInterval: roundInterval(r.upliftInterval),
    difference: round4(r.difference),
    pValue: r.pValue === null ? null : roundP(r.pValue),
    pValueHolm: holm === null ? null : roundP(holm),
    sequentialPValue: r.sequentialPValue === null ? null : roundP(r.sequentialPValue),
    sequentialInterval: roundInterval(r.sequentialInterval),
  };
}

export interface PairComparison extends SmallSample {
  a: number;
  b: number;
  /** rate_b − rate_a. */
  difference: number;
  pValue: number | null;
  /** Holm over every pair of arms. */
  pValueHolm: number | null;
}

/** Every arm against every other on one metric (ids in `ids`, same order as `arms`). */
export function armVersusArm(ids: readonly number[], arms: readonly Proportion[]): PairComparison[] {
  const pairs: { a: number; b: number; difference: number; pValue: number | null; small: string | null }[] =
    [];
  arms.forEach((x, i) => {
    arms.forEach((y, j) => {
      if (j <= i || x.trials <= 0 || y.trials <= 0) return;
      const difference = y.successes / y.trials - x.successes / x.trials;
      const small = tooFewToCompare(x, y, [`variation ${ids[i]}`, `variation ${ids[j]}`]);
      const pValue = small ? null : (twoProportionZTest(x, y)?.pValue ?? null);
      pairs.push({ a: ids[i] as number, b: ids[j] as number, difference, pValue, small });
    });
  });
  const testable = pairs.map((p, i) => ({ p: p.pValue, i })).filter((x) => x.p !== null);
  const adjusted = holmAdjust(testable.map((x) => x.p as number));
  const holm = new Map(testable.map((x, k) => [x.i, adjusted[k] as number]));
  return pairs.map((p, i) => ({
    ...flag(p.small),
    a: p.a,
    b: p.b,
    difference: round4(p.difference),
    pValue: p.pValue === null ? null : roundP(p.pValue),
    pValueHolm: holm.has(i) ? roundP(holm.get(i) as number) : null,
  }));
}
