import test from 'ava';
import type { Experiment } from '../../../src/banner/domain/banner-types.js';
import { chooseExperiment } from '../../../src/banner/domain/experiment-choice.js';
import { slotRivalsHeld } from '../../../src/banner/domain/sign-in-rivals.js';
import { testExperiment } from '../../helpers/experiments.js';

const exp = testExperiment;
const key = (experimentId: string, bucketVersion = 1) => ({ experimentId, bucketVersion });

test("a sign-in's new id drops an assignment that shares a slot with the player's enrollment, and keeps the others", (t) => {
  const experiments = [
    exp('welcome', { occasion: 'login' }),
    exp('new-players', { occasion: 'login' }),
    exp('shop', { occasion: 'shop' }),
    exp('everywhere', { occasion: null, status: 'stopped' }),
  ];
  // The player holds 'welcome' (occasion login); the new id, judged a new player, got 'new-players' and 'shop'.
  t.deepEqual(slotRivalsHeld(experiments, [key('welcome')], [key('new-players'), key('shop')]), [
    key('new-players'),
  ]);
  // Moved, the player would hold two of one slot: a stored assignment then serves whichever comes first.
  const stored = [
    { experimentId: 'new-players', bucketVersion: 1, variationId: 1 },
    { experimentId: 'welcome', bucketVersion: 1, variationId: 0 },
  ];
  const choice = chooseExperiment({
    experiments: [experiments[1] as Experiment, experiments[0] as Experiment],
    eligible: new Set(['welcome', 'new-players']),
    occasion: 'login',
    stored,
    userId: 'u',
  });
  t.is(choice.kind !== 'none' && choice.experiment.id, 'new-players', 'not the variation the player had');
  // An enrollment the player no longer has (stopped, an older bucket version, gone from the rules) is no rival.
  t.deepEqual(
    slotRivalsHeld(experiments, [key('everywhere'), key('welcome', 0), key('gone')], [key('shop')]),
    [],
  );
  t.deepEqual(
    slotRivalsHeld(experiments, [key('welcome')], [key('welcome')]),
    [],
    'the same experiment: the store keeps the player’s',
  );
});
