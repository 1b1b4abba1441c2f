import test from 'ava';
import { CatalogIndex } from '../../../src/offerwall/domain/catalog-index.js';
import {
  type Ranking,
  type RankingInput,
  rankingStages,
  rankOffers,
} from '../../../src/offerwall/domain/decide.js';
import type { RankingModel } from '../../../src/offerwall/domain/ranking.js';
import type { RuleEffect } from '../../../src/offerwall/domain/rule-effects.js';
import {
  plain,
  prng,
  randomEffects,
  randomOffers,
  randomProgress,
  randomTargeting,
} from '../../helpers/random-ranking.js';

// A ranking keeps nothing of its own in shared state between its stages: an `await`
// added anywhere in the ranking path must not let one request's ranking change another's.

/** Runs one ranking with `pauses[k]` + 1 awaits after its k-th stage. */
async function rankWithAwaits(input: RankingInput, pauses: readonly number[]): Promise<Ranking> {
  const stages = rankingStages(input);
  for (let k = 0; ; k++) {
    const step = stages.next();
    if (step.done) return step.value;
    for (let p = 0; p <= (pauses[k] ?? 0); p++) await null;
  }
}

const MODELS: RankingModel[] = [
  {
    weights: { epc: 0.3, conversionRate: 0.2, userReward: 0.15, payout: 0.1, freshness: 0.1, affinity: 0.15 },
    freshnessHalfLifeDays: 45,
  },
  {
    weights: { epc: 0.1, conversionRate: 0.1, userReward: 0.3, payout: 0.1, freshness: 0.3, affinity: 0.1 },
    freshnessHalfLifeDays: 7,
  },
];

test('the ranking has stages to interleave', (t) => {
  const rand = prng(7);
  const offers = randomOffers(rand, 30);
  const stages = rankingStages({
    offers,
    targeting: randomTargeting(rand),
    progress: randomProgress(rand, offers),
    effects: randomEffects(rand, offers),
    model: MODELS[0] as RankingModel,
    completedOffers: 'hide',
    affinity: {},
    now: new Date('2026-11-20T12:00:00Z'),
    limit: 10,
  });
  let steps = 0;
  while (!stages.next().done) steps++;
  t.true(steps >= 3);
});

test('rankings started in one tick and interleaved at every stage each give what they give alone', async (t) => {
  const rand = prng(4242);
  for (let round = 0; round < 12; round++) {
    const offers = randomOffers(rand, 20 + Math.floor(rand() * 280));
    const index = new CatalogIndex(offers);
    const ruleSets: readonly (readonly RuleEffect[])[] = [
      randomEffects(rand, offers),
      Object.freeze(randomEffects(rand, offers)),
      [],
    ];
    const targetings = [randomTargeting(rand), randomTargeting(rand)];
    const start = Date.parse('2026-11-20T12:00:00Z');
    const inputs = Array.from(
      { length: 24 },
      (_, k): RankingInput => ({
        offers,
        index,
        targeting: targetings[k % 2] as RankingInput['targeting'],
        progress: randomProgress(rand, offers),
        effects: ruleSets[Math.floor(rand() * 3)] as readonly RuleEffect[],
        model: MODELS[Math.floor(rand() * 2)] as RankingModel,
        completedOffers: rand() < 0.5 ? 'hide' : 'show',
        affinity: rand() < 0.5 ? {} : { Games: 1, Surveys: Math.round(rand() * 100) / 100 },
        // A few instants: rankings at one instant share freshness, others do not.
        now: new Date(start + Math.floor(rand() * 3) * 3_600_000),
        limit: 1 + Math.floor(rand() * 40),
      }),
    );
    // Alone: one after the other, each on an index of its own.
    const alone = inputs.map((input) => plain(rankOffers({ ...input, index: new CatalogIndex(offers) })));
    // Together: all started at once on one index, pausing at random between stages.
    const pauses = inputs.map(() => Array.from({ length: 8 }, () => Math.floor(rand() * 4)));
    const together = await Promise.all(inputs.map((input, k) => rankWithAwaits(input, pauses[k] ?? [])));
    together.forEach((ranking, k) => {
      t.deepEqual(plain(ranking), alone[k] as Ranking, `round ${round}, ranking ${k}`);
    });
  }
});
