import test from 'ava';
import type { Experiment } from '../../../src/banner/domain/banner-types.js';
import { endedVersions, leftVersions } from '../../../src/banner/domain/experiment-ends.js';
import { testExperiment } from '../../helpers/experiments.js';

const exp = (id: string, over: Partial<Experiment> = {}): Experiment =>
  testExperiment(id, { hashVersion: 2, ...over });

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

test('left: the versions the rules before ran that the new ones do not, removed or moved either way', (t) => {
  t.deepEqual(
    leftVersions(
      [
        exp('kept', { bucketVersion: 2 }),
        exp('removed', { bucketVersion: 2 }),
        exp('rolled-back', { bucketVersion: 3 }),
        exp('bumped'),
        exp('stopped-removed', { status: 'stopped' }),
      ],
      [
        exp('kept', { bucketVersion: 2, status: 'paused' }),
        exp('rolled-back', { bucketVersion: 2 }),
        exp('bumped', { bucketVersion: 2 }),
        exp('new'),
      ],
    ),
    [
      { experimentId: 'removed', bucketVersion: 2 },
      { experimentId: 'rolled-back', bucketVersion: 3 },
      { experimentId: 'bumped', bucketVersion: 1 },
      { experimentId: 'stopped-removed', bucketVersion: 1 },
    ],
  );
});
