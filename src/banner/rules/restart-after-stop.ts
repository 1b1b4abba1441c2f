import type { AppRules } from '../../rules/app-rules.js';
import type { Problem } from '../../rules/problems.js';
import { experimentSite } from './weight-change.js';

/**
 * Experiments `before` had stopped that `after` runs (or pauses) again at the same bucket
 * version. Its end was recorded for good when it stopped, so players it enrolls now are
 * counted apart (`enrolledAfterEnd`) and nothing they do is credited: a rollback to a
 * snapshot from before the stop restarted it silently, and the results went on reading
 * "running" (account manager probe). Another bucket version is a fresh start: no warning.
 */
export function restartWarnings(before: AppRules | undefined, after: AppRules): Problem[] {
  const was = new Map((before?.banner?.experiments ?? []).map((e) => [e.id, e]));
  return (after.banner?.experiments ?? []).flatMap((e) => {
    const old = was.get(e.id);
    if (old?.status !== 'stopped' || e.status === 'stopped' || old.bucketVersion !== e.bucketVersion)
      return [];
    return [
      {
        ...experimentSite(after, e.id),
        message:
          `experiment '${e.id}' was stopped and is ${e.status} again at bucket version ${e.bucketVersion}: ` +
          'its end stands, so the players it enrolls from now on are counted apart (enrolledAfterEnd) and ' +
          'nothing they do is credited to it. To run it again, bump bucketVersion (everyone is assigned afresh); ' +
          'to keep it stopped, set status: stopped again',
      },
    ];
  });
}
