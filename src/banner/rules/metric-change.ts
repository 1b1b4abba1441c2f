import type { AppRules } from '../../rules/app-rules.js';
import type { Problem } from '../../rules/problems.js';
import type { Experiment } from '../domain/banner-types.js';
import { type AssignedUsers, experimentSite } from './weight-change.js';

/** What decides an experiment's verdict: its primary event, and the value summed for revenue. */
const decidingMetric = (e: Experiment): string => {
  const { primary, primaryValue } = e.metrics;
  if (primary === null) return 'no primary metric';
  return primaryValue ? `${primary}.${primaryValue} (revenue per user)` : primary;
};

/**
 * Experiments of `after` whose deciding metric differs from `before`'s at the same bucket
 * version, with what it was. A bumped bucket version starts afresh: no change of a running test.
 */
export function metricChanges(
  before: AppRules | undefined,
  after: AppRules,
): { experiment: Experiment; was: string }[] {
  const old = new Map((before?.banner?.experiments ?? []).map((e) => [e.id, e]));
  return (after.banner?.experiments ?? []).flatMap((e) => {
    const was = old.get(e.id);
    if (!was || was.bucketVersion !== e.bucketVersion) return [];
    const from = decidingMetric(was);
    return from === decidingMetric(e) ? [] : [{ experiment: e, was: from }];
  });
}

/**
 * The registry's change check for metrics: a warning for every experiment whose deciding
 * metric the new snapshot changes while it has users at its bucket version. The verdicts are
 * recomputed on the new metric over the whole run, silently, and switching back brings the old
 * verdict back: picking the metric after seeing the results lets any change "win"
 * (account-manager probe). Warned as weight changes are; a change nobody was enrolled under is silent.
 */
export function metricChangeWarnings(assigned: AssignedUsers) {
  return async (before: AppRules | undefined, after: AppRules): Promise<Problem[]> => {
    const out: Problem[] = [];
    for (const { experiment: e, was } of metricChanges(before, after)) {
      const users = await assigned(after.appId, e.id, e.bucketVersion);
      if (users === 0) continue;
      out.push({
        ...experimentSite(after, e.id, 'metrics'),
        message:
          `experiment '${e.id}' changes what decides its verdict from ${was} to ${decidingMetric(e)} ` +
          `at bucket version ${e.bucketVersion}, which already has ${users} assigned users: its verdicts are now ` +
          'recomputed on the new metric over the whole run. A metric chosen after seeing the results makes a ' +
          'false winner likely (with enough metrics to pick from, one will look significant). Keep the metric ' +
          'declared when the experiment started, or bump bucketVersion to judge the new one on its own data',
      });
    }
    return out;
  };
}
