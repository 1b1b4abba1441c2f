import type { Experiment } from './banner-types.js';

/** An experiment's bucket versions up to `bucketVersion`: the versions an end closes. */
export interface EndedVersions {
  experimentId: string;
  bucketVersion: number;
}

/**
 * The bucket versions rules no longer run: every version of a stopped experiment, and
 * those below a running or paused one's. The store keeps the first instant rules saying so
 * served (BannerStore.endVersions): from then on what users do is credited to no arm of
 * those versions, so their results stay as they were at the end.
 */
export function endedVersions(experiments: readonly Experiment[]): EndedVersions[] {
  return experiments.flatMap((e) => {
    if (e.status === 'stopped') return [{ experimentId: e.id, bucketVersion: e.bucketVersion }];
    return e.bucketVersion > 1 ? [{ experimentId: e.id, bucketVersion: e.bucketVersion - 1 }] : [];
  });
}

/**
 * The bucket versions `before` ran that `after` does not: an experiment removed, or moved to
 * another bucket version (a rollback of a bump goes down). They end when `after` goes live,
 * as a stop or a bump ends them: left open, a removed experiment was credited with what its
 * players did while they were served the default banner, and a rolled-back bump with what
 * its players did while served the version below (account-manager probe, +30 conversions).
 * An end closes the versions up to its own (EndedVersions), which ran before it anyway.
 */
export function leftVersions(before: readonly Experiment[], after: readonly Experiment[]): EndedVersions[] {
  const now = new Map(after.map((e) => [e.id, e.bucketVersion]));
  return before
    .filter((e) => now.get(e.id) !== e.bucketVersion)
    .map((e) => ({ experimentId: e.id, bucketVersion: e.bucketVersion }));
}
