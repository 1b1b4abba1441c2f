import test from 'ava';
import { CatalogIndex } from '../../../src/offerwall/domain/catalog-index.js';
import { type Ranking, type RankingInput, rankOffers } from '../../../src/offerwall/domain/decide.js';
import type { Targeting } from '../../../src/offerwall/domain/eligibility.js';
import type { RuleEffect } from '../../../src/offerwall/domain/rule-effects.js';
import {
  plain,
  prng,
  randomEffects,
  randomOffers,
  randomProgress,
  randomTargeting,
} from '../../helpers/random-ranking.js';
import { referenceRankOffers } from '../../helpers/reference-ranking.js';

// The ranking keeps its results while computing them differently (typed arrays, memoized
// selections, no full sort): it must agree with the straightforward version on anything.

test('the ranking agrees with the straightforward version on 300 random catalogs, rules and users', (t) => {
  const rand = prng(1001);
  for (let round = 0; round < 60; round++) {
    const offers = randomOffers(rand, 20 + Math.floor(rand() * 180));
    const index = new CatalogIndex(offers);
    const model = {
      weights: {
        epc: 0.3,
        conversionRate: 0.2,
        userReward: 0.15,
        payout: 0.1,
        freshness: 0.1,
        affinity: 0.15,
      },
      freshnessHalfLifeDays: 45,
    };
    // Two targetings and two rule sets: requests share plans, with other users' progress.
    // The third is the first as a rule set hands it out (frozen, found by identity).
    const targetings = [randomTargeting(rand), randomTargeting(rand)];
    const first = randomEffects(rand, offers);
    const ruleSets = [first, randomEffects(rand, offers), Object.freeze([...first])];
    // Several requests over one index: its memos must never leak one request into another,
    // and a returned offer's breakdown, built when read, reads only its own request.
    const done: { expected: Ranking; got: Ranking[] }[] = [];
    for (let request = 0; request < 5; request++) {
      const input: RankingInput = {
        offers,
        targeting: targetings[Math.floor(rand() * 2)] as Targeting,
        progress: randomProgress(rand, offers),
        effects: ruleSets[Math.floor(rand() * 3)] as readonly RuleEffect[],
        model,
        completedOffers: rand() < 0.5 ? 'hide' : 'show',
        affinity: rand() < 0.5 ? {} : { Games: 1, Surveys: Math.round(rand() * 100) / 100 },
        now: new Date(Date.parse('2026-11-20T12:00:00Z') + request * 3_600_000),
        limit: 1 + Math.floor(rand() * 60),
      };
      const expected = referenceRankOffers(input);
      done.push({
        expected,
        got: [rankOffers({ ...input, index }), rankOffers({ ...input, index, listDropped: false })],
      });
    }
    for (const { expected, got } of done) {
      t.deepEqual(plain(got[0] as Ranking), expected);
      t.deepEqual(plain(got[1] as Ranking), { ...expected, dropped: [], belowCut: [] });
    }
  }
});
