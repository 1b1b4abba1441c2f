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
