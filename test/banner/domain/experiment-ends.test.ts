import test from 'ava';
import type { Experiment } from '../../../src/banner/domain/banner-types.js';
import { endedVersions } from '../../../src/banner/domain/experiment-ends.js';

const exp = (id: string, over: Partial<Experiment> = {}): Experiment => ({
  id,
  description: '',
  status: 'running',
  bucketVersion: 1,
  trafficAllocation: 100,
  occasion: null,
  hasEligibility: false,
  hashVersion: 2,
  controlBanner: false,
  metrics: { primary: null, secondary: [] },
  variations: [
    { id: 0, name: 'control', weight: 50 },
    { id: 1, name: 'x', weight: 50 },
  ],
  ...over,
});

test('ended: every version of a stopped experiment, those below a running or paused one', (t) => {
  t.deepEqual(
    endedVersions([
      exp('fresh'),
      exp('bumped', { bucketVersion: 3 }),
      exp('paused', { status: 'paused', bucketVersion: 2 }),
      exp('stopped', { status: 'stopped' }),
      exp('stopped-later', { status: 'stopped', bucketVersion: 4 }),
    ]),
    [
      { experimentId: 'bumped', bucketVersion: 2 },
      { experimentId: 'paused', bucketVersion: 1 },
      { experimentId: 'stopped', bucketVersion: 1 },
      { experimentId: 'stopped-later', bucketVersion: 4 },
    ],
  );
});
