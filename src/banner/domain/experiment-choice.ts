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

export type VerdictOutcome =
  | 'stopped'
  | 'occasion-mismatch'
  | 'not-eligible'
  | 'stored'
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

function storedVariation(experiment: Experiment, input: ChoiceInput): number | null {
  for (const s of input.stored) {
    if (s.experimentId === experiment.id && s.bucketVersion === experiment.bucketVersion)
      return s.variationId;
  }
  return null;
}

/** The verdict's outcome up to the stored assignment (no hashing): null when bucketing decides. */
function preVerdict(
  experiment: Experiment,
  input: ChoiceInput,
  stored: number | null,
): VerdictOutcome | null {
  if (experiment.status === 'stopped') return 'stopped';
  if (experiment.occasion !== null && input.occasion !== null && experiment.occasion !== input.occasion) {
    return 'occasion-mismatch';
  }
  if (!input.eligible.has(experiment.id)) return 'not-eligible';
  if (stored !== null) return 'stored';
  if (experiment.status === 'paused') return 'paused';
  return null;
}

function verdictFor(experiment: Experiment, input: ChoiceInput): ExperimentVerdict {
  const stored = storedVariation(experiment, input);
  const pre = preVerdict(experiment, input, stored);
  const bucketing = pre === null ? bucketUser(experiment, input.userId) : null;
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
 * Which experiment serves this request. An experiment the user is already assigned
 * to (and still eligible for) comes first, so a user never drifts between experiments
 * as allocations change; otherwise the first running experiment that admits the user
 * proposes a new assignment. Paused experiments serve their assigned users only;
 * stopped ones serve nobody.
 */
export function chooseExperiment(input: ChoiceInput): ExperimentChoice {
  if (input.complete === false) return chooseServing(input);
  const verdicts = input.experiments.map((e) => verdictFor(e, input));
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
function chooseServing(input: ChoiceInput): ExperimentChoice {
  for (const experiment of input.experiments) {
    const stored = storedVariation(experiment, input);
    if (stored !== null && preVerdict(experiment, input, stored) === 'stored') {
      const verdict = verdictFor(experiment, input);
      return { kind: 'stored', experiment, variationId: stored, verdicts: [verdict] };
    }
  }
  const verdicts: ExperimentVerdict[] = [];
  for (const experiment of input.experiments) {
    const verdict = verdictFor(experiment, input);
    verdicts.push(verdict);
    if (verdict.outcome === 'admitted') {
      return { kind: 'new', experiment, variationId: verdict.bucketing?.variationId as number, verdicts };
    }
  }
  return { kind: 'none', verdicts };
}
