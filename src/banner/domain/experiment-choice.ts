import type { Experiment } from './banner-types.js';
import { type Bucketing, bucketUser } from './bucketing.js';

/** A user's stored variation in one experiment (at one bucket version). */
export interface StoredVariation {
  experimentId: string;
  bucketVersion: number;
  variationId: number;
}

export interface ChoiceInput {
  /** The app's experiments in rule order: the first one that takes the user wins. */
  experiments: readonly Experiment[];
  /** Experiments whose eligibility conditions hold for this request (a Set, or asked one by one). */
  eligible: { has(experimentId: string): boolean };
  occasion: string | null;
  stored: readonly StoredVariation[];
  userId: string;
  /**
   * False (serving): stop once the choice is known — `verdicts` then cover only the
   * experiments looked at, and users who are not bucketed are not hashed. Default true
   * (explanations and fixtures want every verdict).
   */
  complete?: boolean;
}

/**
 * `stored`: the user is enrolled (eligibility is not asked again); `slot-taken`: the
 * user is enrolled in another live experiment competing for the same slot.
 */
export type VerdictOutcome =
  | 'stopped'
  | 'occasion-mismatch'
  | 'stored'
  | 'not-eligible'
  | 'slot-taken'
  | 'paused'
  | 'not-admitted'
  | 'admitted';

/** Why an experiment did or did not take the user; for explain and fixtures. */
export interface ExperimentVerdict {
  experimentId: string;
  status: Experiment['status'];
  outcome: VerdictOutcome;
  storedVariation: number | null;
  bucketing: Bucketing | null;
}

export type ExperimentChoice =
  | { kind: 'stored'; experiment: Experiment; variationId: number; verdicts: ExperimentVerdict[] }
  | { kind: 'new'; experiment: Experiment; variationId: number; verdicts: ExperimentVerdict[] }
  | { kind: 'none'; verdicts: ExperimentVerdict[] };

function storedVariation(experiment: Experiment, stored: readonly StoredVariation[]): number | null {
  for (const s of stored) {
    if (s.experimentId === experiment.id && s.bucketVersion === experiment.bucketVersion)
      return s.variationId;
  }
  return null;
}

/**
 * Two experiments compete for the same slot when a request could be served by either:
 * same occasion, or one of them runs for every occasion.
 */
export function sharesSlot(a: Experiment, b: Experiment): boolean {
  return a.occasion === null || b.occasion === null || a.occasion === b.occasion;
}

/**
 * The experiments a new assignment to `experiment` must not coexist with: the others
 * that share its slot and still serve their enrolled (running or paused), at their
 * current bucket version. The store refuses the assignment when the user holds one.
 */
export function slotRivals(
  experiments: readonly Experiment[],
  experiment: Experiment,
): { experimentId: string; bucketVersion: number }[] {
  return experiments
    .filter((e) => e.id !== experiment.id && e.status !== 'stopped' && sharesSlot(e, experiment))
    .map((e) => ({ experimentId: e.id, bucketVersion: e.bucketVersion }));
}

/** Experiments the user is enrolled in now: a stored assignment of the current bucket version, not stopped. */
export function liveEnrollments(
  experiments: readonly Experiment[],
  stored: readonly StoredVariation[],
): Experiment[] {
  if (stored.length === 0) return [];
  return experiments.filter((e) => e.status !== 'stopped' && storedVariation(e, stored) !== null);
}

/** Per call: the user's live enrollments, found once. */
interface Judging {
  input: ChoiceInput;
  enrolled: readonly Experiment[];
}

/** The verdict's outcome up to bucketing (no hashing): null when bucketing decides. */
function preVerdict(experiment: Experiment, j: Judging, stored: number | null): VerdictOutcome | null {
  if (experiment.status === 'stopped') return 'stopped';
  const { occasion } = j.input;
  if (experiment.occasion !== null && occasion !== null && experiment.occasion !== occasion) {
    return 'occasion-mismatch';
  }
  // Enrolled users stay, whatever their eligibility does later (a lapsed player's visit ends the lapse).
  if (stored !== null) return 'stored';
  if (!j.input.eligible.has(experiment.id)) return 'not-eligible';
  if (j.enrolled.some((e) => sharesSlot(e, experiment))) return 'slot-taken';
  if (experiment.status === 'paused') return 'paused';
  return null;
}

function verdictFor(experiment: Experiment, j: Judging): ExperimentVerdict {
  const stored = storedVariation(experiment, j.input.stored);
  const pre = preVerdict(experiment, j, stored);
  const bucketing = pre === null ? bucketUser(experiment, j.input.userId) : null;
  let outcome = pre;
  if (outcome === null)
    outcome = bucketing?.admitted && bucketing.variationId !== null ? 'admitted' : 'not-admitted';
  // One literal (no spread of a shared base): a verdict is made per experiment looked at.
  return {
    experimentId: experiment.id,
    status: experiment.status,
    storedVariation: stored,
    outcome,
    bucketing,
  };
}

/**
 * Which experiment serves this request. Enrollment is sticky: an experiment the user
 * is enrolled in (running or paused, and for this request's occasion) serves them with
 * their stored variation, eligible or not; while enrolled they enter no other experiment
 * of the same slot. Otherwise the first running experiment that admits the user
 * proposes a new assignment. Paused experiments take no one new; stopped ones serve
 * nobody and release their users.
 */
export function chooseExperiment(input: ChoiceInput): ExperimentChoice {
  const j: Judging = { input, enrolled: liveEnrollments(input.experiments, input.stored) };
  if (input.complete === false) return chooseServing(j);
  const verdicts = input.experiments.map((e) => verdictFor(e, j));
  const byId = new Map(input.experiments.map((e) => [e.id, e]));
  const stored = verdicts.find((v) => v.outcome === 'stored');
  if (stored) {
    const experiment = byId.get(stored.experimentId) as Experiment;
    return { kind: 'stored', experiment, variationId: stored.storedVariation as number, verdicts };
  }
  const admitted = verdicts.find((v) => v.outcome === 'admitted');
  if (admitted) {
    const experiment = byId.get(admitted.experimentId) as Experiment;
    return { kind: 'new', experiment, variationId: admitted.bucketing?.variationId as number, verdicts };
  }
  return { kind: 'none', verdicts };
}

/** chooseExperiment's choice, computing only what it needs: a stored assignment first, then buckets in order. */
function chooseServing(j: Judging): ExperimentChoice {
  for (const experiment of j.enrolled) {
    const verdict = verdictFor(experiment, j);
    if (verdict.outcome === 'stored') {
      const variationId = verdict.storedVariation as number;
      return { kind: 'stored', experiment, variationId, verdicts: [verdict] };
    }
  }
  const verdicts: ExperimentVerdict[] = [];
  for (const experiment of j.input.experiments) {
    const verdict = verdictFor(experiment, j);
    verdicts.push(verdict);
    if (verdict.outcome === 'admitted') {
      return { kind: 'new', experiment, variationId: verdict.bucketing?.variationId as number, verdicts };
    }
  }
  return { kind: 'none', verdicts };
}
