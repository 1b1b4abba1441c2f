import { CONTROL_VARIATION, type Experiment } from './banner-types.js';
import { twoProportionZTest } from './statistics.js';

/** Raw counts of one variation, as the store keeps them. */
export interface VariationTally {
  variationId: number;
  /** Users assigned to the variation. */
  users: number;
  /** Banner renders served to them. */
  exposures: number;
  /** Per event name: distinct assigned users who tracked it after their assignment. */
  conversions: { event: string; users: number }[];
}

export interface ConversionResult {
  users: number;
  /** users / assigned users; null when nobody is assigned. */
  rate: number | null;
  /** Relative change of the rate against control; null for control or a zero control rate. */
  uplift: number | null;
  z: number | null;
  /** Two-sided two-proportion z-test against control; null for control or when undefined. */
  pValue: number | null;
}

export interface VariationResult {
  variationId: number;
  name: string;
  control: boolean;
  weight: number | null;
  users: number;
  exposures: number;
  conversions: Record<string, ConversionResult>;
}

export interface ExperimentResults {
  experimentId: string;
  status: Experiment['status'];
  bucketVersion: number;
  trafficAllocation: number;
  events: string[];
  variations: VariationResult[];
}

const EMPTY = (variationId: number): VariationTally => ({
  variationId,
  users: 0,
  exposures: 0,
  conversions: [],
});

function conversionsOf(tally: VariationTally, event: string): number {
  return tally.conversions.find((c) => c.event === event)?.users ?? 0;
}

function conversion(tally: VariationTally, control: VariationTally, event: string, isControl: boolean) {
  const users = conversionsOf(tally, event);
  const rate = tally.users > 0 ? users / tally.users : null;
  if (isControl) return { users, rate, uplift: null, z: null, pValue: null };
  const controlUsers = conversionsOf(control, event);
  const controlRate = control.users > 0 ? controlUsers / control.users : null;
  const test = twoProportionZTest(
    { successes: controlUsers, trials: control.users },
    { successes: users, trials: tally.users },
  );
  const uplift = rate !== null && controlRate ? (rate - controlRate) / controlRate : null;
  return { users, rate, uplift, z: test?.z ?? null, pValue: test?.pValue ?? null };
}

/**
 * Per-variation results of one experiment, each variation tested against control
 * (variation 0), for the assignments of `bucketVersion`. Variations no longer in the
 * rules but with stored users are listed too.
 */
export function experimentResults(
  experiment: Experiment,
  bucketVersion: number,
  tallies: readonly VariationTally[],
): ExperimentResults {
  const byId = new Map(tallies.map((t) => [t.variationId, t]));
  const ids = [...new Set([...experiment.variations.map((v) => v.id), ...byId.keys()])].sort((a, b) => a - b);
  const events = [...new Set(tallies.flatMap((t) => t.conversions.map((c) => c.event)))].sort();
  const control = byId.get(CONTROL_VARIATION) ?? EMPTY(CONTROL_VARIATION);
  const variations = ids.map((id): VariationResult => {
    const tally = byId.get(id) ?? EMPTY(id);
    const declared = experiment.variations.find((v) => v.id === id);
    const isControl = id === CONTROL_VARIATION;
    return {
      variationId: id,
      name: declared?.name ?? '(removed from the rules)',
      control: isControl,
      weight: declared?.weight ?? null,
      users: tally.users,
      exposures: tally.exposures,
      conversions: Object.fromEntries(events.map((e) => [e, conversion(tally, control, e, isControl)])),
    };
  });
  return {
    experimentId: experiment.id,
    status: experiment.status,
    bucketVersion,
    trafficAllocation: experiment.trafficAllocation,
    events,
    variations,
  };
}
