import type { AppRules } from '../../rules/app-rules.js';
import type { Problem } from '../../rules/problems.js';
import type { Experiment } from '../domain/banner-types.js';
import { endedVersions, leftVersions } from '../domain/experiment-ends.js';
import { experimentSite } from './weight-change.js';

/** When an experiment's bucket version ended (BannerStore.versionEnd, ISO 8601), or null while it runs. */
export type VersionEndOf = (
  appId: string,
  experimentId: string,
  bucketVersion: number,
) => Promise<string | null>;

const byId = (rules: AppRules | undefined): Map<string, Experiment> =>
  new Map((rules?.banner?.experiments ?? []).map((e) => [e.id, e]));

/**
 * The warning for a live bucket version of `before` that `after` ends by leaving it
 * (leftVersions): the experiment removed, or moved down to another version (a rollback of a
 * bump). Its players are served something else from then on (the default banner, the version
 * below), so the version ends, as finally as a stop ends it; that went live unsaid, and the
 * account manager found out from frozen results (probe). A bump up ends the version below
 * too: that is what bumping is for, so no warning.
 */
function endWarning(before: Experiment, after: Experiment | undefined, rules: AppRules): Problem | [] {
  // Still live at its version, or bumped up; or stopped, so ended already.
  if (before.status === 'stopped' || (after && after.bucketVersion >= before.bucketVersion)) return [];
  const w = before.bucketVersion;
  const [what, read] = after
    ? [
        `goes from bucket version ${w} back to ${after.bucketVersion}`,
        `still readable with ?bucketVersion=${w}`,
      ]
    : [`leaves the rules (bucket version ${w})`, 'readable again only once it is back in the rules'];
  return {
    ...experimentSite(rules, before.id),
    message:
      `experiment '${before.id}' ${what}: bucket version ${w} ends now, as a stop ends it (unless it had ended ` +
      `already): its results freeze (${read}) and nothing its players do from now on is credited to it. ` +
      'The end stands: served again later, the version counts the players it enrolls apart (enrolledAfterEnd); ' +
      'bump bucketVersion above every version it ran to run the experiment again',
  };
}

/**
 * Whether `after`'s bucket version of `e` is ended: by the snapshot it replaces (stopped, or
 * a later version or the experiment left: endedVersions, leftVersions; an end closes the
 * versions up to its own), or earlier, as the store says. The store is read after a rollback
 * went live, so its answer may hold this very change's ends: the same ones the rules give.
 */
async function endOf(
  e: Experiment,
  before: AppRules | undefined,
  after: AppRules,
  versionEnd: VersionEndOf,
): Promise<string | null> {
  const was = before?.banner?.experiments ?? [];
  const ends = [...endedVersions(was), ...leftVersions(was, after.banner?.experiments ?? [])];
  const stored = await versionEnd(after.appId, e.id, e.bucketVersion);
  if (stored !== null) return stored;
  return ends.some((k) => k.experimentId === e.id && k.bucketVersion >= e.bucketVersion) ? 'now' : null;
}

/**
 * Experiments `after` runs (or pauses) at a bucket version that had ended, which `before` did
 * not run live at that version: a stopped one running again (a rollback to a snapshot from
 * before the stop restarted it silently, and the results went on reading "running"), one
 * rolled back to the version a bump ended, one put back after it was removed. Its end was
 * recorded for good, so players it enrolls now are counted apart (`enrolledAfterEnd`) and
 * nothing they do is credited (account manager probes).
 */
async function againWarning(
  e: Experiment,
  before: AppRules | undefined,
  after: AppRules,
  versionEnd: VersionEndOf,
): Promise<Problem | []> {
  const old = byId(before).get(e.id);
  if (e.status === 'stopped') return [];
  if (old && old.status !== 'stopped' && old.bucketVersion === e.bucketVersion) return [];
  const ended = await endOf(e, before, after, versionEnd);
  if (ended === null) return [];
  const v = e.bucketVersion;
  const when = ended === 'now' ? '' : ` (${ended})`;
  const restarted = old?.bucketVersion === v;
  const what = restarted
    ? 'was stopped and is'
    : old
      ? `goes from bucket version ${old.bucketVersion} to ${v}, which had ended, and is`
      : `returns to the rules at bucket version ${v}, which had ended, and is`;
  const keep = restarted
    ? 'to keep it stopped, set status: stopped again'
    : 'to keep it ended, set status: stopped';
  return {
    // A restart is its status line's doing; a version gone back to, the experiment's.
    ...experimentSite(after, e.id, restarted ? 'status' : undefined),
    message:
      `experiment '${e.id}' ${what} ${e.status} again at bucket version ${v}: its end${when} stands, so the ` +
      'players it enrolls from now on are counted apart (enrolledAfterEnd) and nothing they do is credited to ' +
      `it. To run it again, bump bucketVersion above every version it ran (everyone is assigned afresh); ${keep}`,
  };
}

/**
 * The registry's change check for ends (RulesRegistryOptions.changeWarnings): a bucket version
 * the new snapshot ends by leaving it, and an ended one it runs again.
 */
export function versionEndWarnings(versionEnd: VersionEndOf) {
  return async (before: AppRules | undefined, after: AppRules): Promise<Problem[]> => {
    const now = byId(after);
    const ending = [...byId(before).values()].flatMap((e) => endWarning(e, now.get(e.id), after));
    const again: Problem[] = [];
    for (const e of now.values()) again.push(...[await againWarning(e, before, after, versionEnd)].flat());
    return [...ending, ...again];
  };
}
