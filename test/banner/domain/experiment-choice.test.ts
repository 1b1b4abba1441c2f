import test from 'ava';
import { bucketUser } from '../../../src/banner/domain/bucketing.js';
import { type ChoiceInput, chooseExperiment } from '../../../src/banner/domain/experiment-choice.js';
import { testExperiment } from '../../helpers/experiments.js';

const exp = testExperiment;

const input = (over: Partial<ChoiceInput>): ChoiceInput => ({
  experiments: [exp('a'), exp('b')],
  eligible: new Set(['a', 'b']),
  occasion: null,
  stored: [],
  userId: 'u1',
  ...over,
});

test('a new user is bucketed into the first running experiment that admits them', (t) => {
  const choice = chooseExperiment(input({}));
  t.is(choice.kind, 'new');
  if (choice.kind === 'new') {
    t.is(choice.experiment.id, 'a');
    t.is(choice.variationId, bucketUser(exp('a'), 'u1').variationId as number);
  }
});

test('a stored assignment comes first, even in a later experiment, wins over the weights and keeps the slot', (t) => {
  const choice = chooseExperiment(
    input({ stored: [{ experimentId: 'b', bucketVersion: 1, variationId: 0 }] }),
  );
  t.like(choice, { kind: 'stored', variationId: 0 });
  t.is(choice.kind !== 'none' && choice.experiment.id, 'b');
  t.deepEqual(
    choice.verdicts.map((v) => v.outcome),
    ['slot-taken', 'stored'],
  );
});

test('a stored assignment of an older bucket version is ignored', (t) => {
  const choice = chooseExperiment(
    input({
      experiments: [exp('a', { bucketVersion: 2 })],
      stored: [{ experimentId: 'a', bucketVersion: 1, variationId: 1 }],
    }),
  );
  t.is(choice.kind, 'new');
});

test('paused: assigned users keep their variation, nobody new enters', (t) => {
  const paused = [exp('a', { status: 'paused' })];
  t.like(
    chooseExperiment(
      input({ experiments: paused, stored: [{ experimentId: 'a', bucketVersion: 1, variationId: 1 }] }),
    ),
    { kind: 'stored', variationId: 1 },
  );
  const fresh = chooseExperiment(input({ experiments: paused }));
  t.is(fresh.kind, 'none');
  t.is(fresh.verdicts[0]?.outcome, 'paused');
});

test('stopped experiments serve nobody; ineligible and other-occasion experiments are skipped', (t) => {
  const choice = chooseExperiment(
    input({
      experiments: [
        exp('stopped', { status: 'stopped' }),
        exp('elsewhere', { occasion: 'shop' }),
        exp('closed'),
      ],
      eligible: new Set(['stopped', 'elsewhere']),
      occasion: 'level_up',
      stored: [{ experimentId: 'stopped', bucketVersion: 1, variationId: 1 }],
    }),
  );
  t.is(choice.kind, 'none');
  t.deepEqual(
    choice.verdicts.map((v) => v.outcome),
    ['stopped', 'occasion-mismatch', 'not-eligible'],
  );
});

test('a request without an occasion may enter an experiment that has one', (t) => {
  const choice = chooseExperiment(
    input({ experiments: [exp('a', { occasion: 'level_up' })], eligible: new Set(['a']) }),
  );
  t.is(choice.kind, 'new');
});

test('outside the traffic allocation the next experiment gets its chance', (t) => {
  const choice = chooseExperiment(input({ experiments: [exp('a', { trafficAllocation: 0 }), exp('b')] }));
  t.deepEqual(
    choice.verdicts.map((v) => v.outcome),
    ['not-admitted', 'admitted'],
  );
  t.is(choice.kind !== 'none' && choice.experiment.id, 'b');
});

test('serving (complete: false) makes the same choice as the full verdicts, on 2,000 random inputs', (t) => {
  let seed = 7;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const statuses = ['running', 'running', 'paused', 'stopped'] as const;
  for (let n = 0; n < 2000; n++) {
    const experiments = Array.from({ length: 1 + Math.floor(rand() * 6) }, (_, i) =>
      exp(`e${i}`, {
        status: statuses[Math.floor(rand() * statuses.length)],
        trafficAllocation: [0, 30, 100][Math.floor(rand() * 3)],
        occasion: rand() < 0.3 ? 'level_up' : null,
        bucketVersion: 1 + Math.floor(rand() * 2),
      }),
    );
    const full = input({
      experiments,
      eligible: new Set(experiments.filter(() => rand() < 0.7).map((e) => e.id)),
      occasion: rand() < 0.5 ? null : rand() < 0.5 ? 'level_up' : 'other',
      stored: experiments
        .filter(() => rand() < 0.2)
        .map((e) => ({ experimentId: e.id, bucketVersion: 1 + Math.floor(rand() * 2), variationId: 1 })),
      userId: `u${n}`,
    });
    const a = chooseExperiment(full);
    const b = chooseExperiment({ ...full, complete: false });
    t.is(b.kind, a.kind);
    if (a.kind !== 'none' && b.kind !== 'none') {
      t.is(b.experiment.id, a.experiment.id);
      t.is(b.variationId, a.variationId);
    }
    // What serving did look at, it judged exactly as the full run did.
    for (const v of b.verdicts)
      t.deepEqual(
        v,
        a.verdicts.find((x) => x.experimentId === v.experimentId),
      );
  }
});

const enrolledIn = (experimentId: string, variationId = 1) => [
  { experimentId, bucketVersion: 1, variationId },
];

test('the lapsed player: enrolled while eligible, they stay in their variation once no longer eligible', (t) => {
  // 'lapsed' is eligible only while the player has been away; their first visit ends it.
  const experiments = [exp('welcome-back'), exp('everyone-else')];
  const first = chooseExperiment(
    input({ experiments, eligible: new Set(['welcome-back', 'everyone-else']) }),
  );
  t.is(first.kind !== 'none' && first.experiment.id, 'welcome-back');
  const variation = first.kind === 'none' ? -1 : first.variationId;
  for (const complete of [true, false]) {
    const later = chooseExperiment(
      input({
        experiments,
        eligible: new Set(['everyone-else']),
        stored: enrolledIn('welcome-back', variation),
        complete,
      }),
    );
    t.like(later, { kind: 'stored', variationId: variation });
    t.is(later.kind !== 'none' && later.experiment.id, 'welcome-back', 'not drifted into everyone-else');
  }
});

test('while enrolled, a user enters no other experiment of the same slot, even on another occasion', (t) => {
  const experiments = [
    exp('a', { occasion: 'level_up' }),
    exp('anywhere'),
    exp('shop', { occasion: 'shop' }),
  ];
  const eligible = new Set(['a', 'anywhere', 'shop']);
  const onShop = chooseExperiment(
    input({ experiments, eligible, occasion: 'shop', stored: enrolledIn('a') }),
  );
  t.is(onShop.kind, 'new', 'the shop slot does not overlap level_up');
  t.is(onShop.kind !== 'none' && onShop.experiment.id, 'shop');
  t.deepEqual(
    onShop.verdicts.map((v) => v.outcome),
    ['occasion-mismatch', 'slot-taken', 'admitted'],
  );
  const enrolledEverywhere = chooseExperiment(
    input({ experiments, eligible, occasion: 'shop', stored: enrolledIn('anywhere') }),
  );
  t.is(enrolledEverywhere.kind !== 'none' && enrolledEverywhere.experiment.id, 'anywhere');
});

test('paused serves its enrolled users even when no longer eligible; stopped releases them to others', (t) => {
  const paused = chooseExperiment(
    input({
      experiments: [exp('p', { status: 'paused' }), exp('b')],
      eligible: new Set(['b']),
      stored: enrolledIn('p'),
    }),
  );
  t.like(paused, { kind: 'stored', variationId: 1 });
  const stopped = chooseExperiment(
    input({
      experiments: [exp('s', { status: 'stopped' }), exp('b')],
      eligible: new Set(['b']),
      stored: enrolledIn('s'),
    }),
  );
  t.is(stopped.kind !== 'none' && stopped.experiment.id, 'b');
  t.is(stopped.kind, 'new');
});

test('an assignment of an older bucket version neither serves nor holds the slot', (t) => {
  const choice = chooseExperiment(
    input({ experiments: [exp('a', { bucketVersion: 2 }), exp('b')], stored: enrolledIn('a') }),
  );
  t.is(choice.kind, 'new');
});
