import type { AppRules } from '../../rules/app-rules.js';
import type { Problem } from '../../rules/problems.js';
import type { Experiment } from '../domain/banner-types.js';
import type { ExperimentLines } from './banner-kind.js';

/** One experiment whose weights a new snapshot changes at the same bucket version. */
export interface WeightChange {
  experiment: Experiment;
  before: readonly { id: number; weight: number }[];
}

const weightsText = (variations: readonly { id: number; weight: number }[]): string =>
  variations.map((v) => `${v.id}:${v.weight}`).join(' / ');

/** The shares the weights give, by variation id (sum of the weights as 1). */
function shares(variations: readonly { id: number; weight: number }[]): Map<number, number> {
  const total = variations.reduce((s, v) => s + v.weight, 0);
  return new Map(variations.map((v) => [v.id, total > 0 ? v.weight / total : 0]));
}

function sameShares(
  a: readonly { id: number; weight: number }[],
  b: readonly { id: number; weight: number }[],
) {
  const x = shares(a);
  const y = shares(b);
  const ids = new Set([...x.keys(), ...y.keys()]);
  return [...ids].every((id) => Math.abs((x.get(id) ?? 0) - (y.get(id) ?? 0)) < 1e-12);
}

/**
 * Experiments of `after` whose split differs from `before`'s at the same bucket version
 * (weights scaled alike, 20/80 and 1/4, are the same split). A bumped bucket version
 * starts afresh, so it is no change of a running split; a stopped experiment splits nobody
 * (it warned "only new users are split by the new weights" after a rollback, a newcomer probe).
 */
export function weightChanges(before: AppRules | undefined, after: AppRules): WeightChange[] {
  const old = new Map((before?.banner?.experiments ?? []).map((e) => [e.id, e]));
  return (after.banner?.experiments ?? []).flatMap((e) => {
    const was = old.get(e.id);
    if (!was || e.status === 'stopped') return [];
    if (was.bucketVersion !== e.bucketVersion || sameShares(was.variations, e.variations)) return [];
    return [{ experiment: e, before: was.variations.map((v) => ({ id: v.id, weight: v.weight })) }];
  });
}

/**
 * Where a reload warning about experiment `id` points: its `line` (`status:`, `variations:`)
 * when the warning is about that key, else its entry in the rule file; the app without one.
 */
export function experimentSite(
  rules: AppRules,
  id: string,
  line?: keyof ExperimentLines,
): Pick<Problem, 'file' | 'line' | 'col'> {
  const written = rules.banner?.written;
  const site = line ? written?.lines.get(id)?.[line] : written?.eligibility.get(id)?.site;
  return site ?? { file: rules.appId, line: 1, col: 1 };
}

/** The reload warning of one weight change of an experiment with `users` assigned at its bucket version. */
export function weightChangeWarning(change: WeightChange, users: number, rules: AppRules): Problem {
  const e = change.experiment;
  return {
    ...experimentSite(rules, e.id, 'variations'),
    message:
      `experiment '${e.id}' changes its weights from ${weightsText(change.before)} to ${weightsText(e.variations)} ` +
      `(variation:weight) at bucket version ${e.bucketVersion}, which already has ${users} assigned users: ` +
      'they keep their variation (assignments are sticky) and only new users are split by the new weights; ' +
      "the results' sample-ratio check compares each user with the weights in force when they were assigned, " +
      'and the arms now mix users enrolled under different splits (and times). To compare the new split on its own, ' +
      'bump bucketVersion instead (everyone is assigned afresh)',
  };
}

/** Counts the users assigned to one experiment at one bucket version. */
export type AssignedUsers = (appId: string, experimentId: string, bucketVersion: number) => Promise<number>;

/**
 * The registry's change check (RulesRegistryOptions.changeWarnings): a warning for every
 * experiment whose weights the new snapshot changes while it already has assignments at
 * its bucket version. Weight changes of an experiment nobody entered yet are silent.
 */
export function weightChangeWarnings(assigned: AssignedUsers) {
  return async (before: AppRules | undefined, after: AppRules): Promise<Problem[]> => {
    const out: Problem[] = [];
    for (const change of weightChanges(before, after)) {
      const e = change.experiment;
      const users = await assigned(after.appId, e.id, e.bucketVersion);
      if (users > 0) out.push(weightChangeWarning(change, users, after));
    }
    return out;
  };
}
