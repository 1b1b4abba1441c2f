import test from 'ava';
import { CatalogIndex } from '../../../src/domain/offerwall/catalog-index.js';
import { type Ranking, type RankingInput, rankOffers } from '../../../src/domain/offerwall/decide.js';
import type { Targeting } from '../../../src/domain/offerwall/eligibility.js';
import type { CatalogOffer, Platform } from '../../../src/domain/offerwall/offer.js';
import type { OfferProgress } from '../../../src/domain/offerwall/progress.js';
import type { OfferSelector, RuleEffect } from '../../../src/domain/offerwall/rule-effects.js';
import { referenceRankOffers } from '../../helpers/reference-ranking.js';

// The ranking keeps its results while computing them differently (typed arrays, memoized
// selections, no full sort): it must agree with the straightforward version on anything.

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), a | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const CATEGORIES = ['Games', 'Surveys', 'Casino', 'Apps'];
const PLATFORMS: (Platform | null)[] = [null, null, 'ios', 'android', 'desktop'];
const COUNTRIES = ['DE', 'US', 'FR'];

function randomOffers(rand: () => number, n: number): CatalogOffer[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  return Array.from({ length: n }, (_, i) => ({
    offer_id: 1000 + i * 3 + Math.floor(rand() * 3),
    offer_name: `o${i}`,
    headline: '',
    description: '',
    offer_terms: '',
    label: '',
    category: pick(CATEGORIES),
    offer_type: Math.floor(rand() * 12),
    total_user_reward: pick([0, 10, 100, 1000, Math.round(rand() * 5000)]),
    payout: pick([0.5, 1, 2, Math.round(rand() * 1000) / 100]),
    attribution_window_days: 30,
    events: [],
    platform: pick(PLATFORMS),
    countries: COUNTRIES.filter(() => rand() < 0.3),
    min_os_version: rand() < 0.2 ? pick(['15.0', '16.3', '12']) : null,
    // Repeated values make ties, which the offer id must break.
    epc: pick([0.1, 0.2, Math.round(rand() * 100) / 100]),
    conversion_rate: pick([0.05, 0.3, Math.round(rand() * 100) / 100]),
    tracking_delay: 'instant',
    creatives: [],
    click_url_base: 'https://example.com',
    created_at:
      rand() < 0.2
        ? null
        : new Date(Date.UTC(2026, Math.floor(rand() * 11), 1 + Math.floor(rand() * 27))).toISOString(),
    cap_remaining: pick([null, null, 0, 5]),
  }));
}

function selector(rand: () => number, offers: CatalogOffer[]): OfferSelector {
  const s: OfferSelector = {};
  if (rand() < 0.5) s.offerTypes = [Math.floor(rand() * 12), Math.floor(rand() * 12)];
  if (rand() < 0.4) s.categories = CATEGORIES.filter(() => rand() < 0.4);
  if (rand() < 0.2) s.offerIds = offers.filter(() => rand() < 0.1).map((o) => o.offer_id);
  if (rand() < 0.2) s.platforms = ['ios', 'android'].filter(() => rand() < 0.6) as Platform[];
  return s;
}

function randomEffects(rand: () => number, offers: CatalogOffer[]): RuleEffect[] {
  return Array.from({ length: Math.floor(rand() * 8) }, (_, k) => {
    const kind = rand();
    if (kind < 0.25) return { ruleId: `r${k}`, exclude: selector(rand, offers) };
    if (kind < 0.4) return { ruleId: `r${k}`, allowOnly: selector(rand, offers) };
    return {
      ruleId: `r${k}`,
      boost: { ...selector(rand, offers), by: Math.round((rand() - 0.3) * 100) / 100 },
    };
  });
}

function randomProgress(rand: () => number, offers: CatalogOffer[]): Map<number, OfferProgress> {
  const progress = new Map<number, OfferProgress>();
  for (const o of offers) {
    if (rand() > 0.1) continue;
    progress.set(o.offer_id, {
      appId: 'a',
      uid: 'u',
      offerId: o.offer_id,
      wallId: 1,
      category: o.category,
      offerType: o.offer_type,
      status: rand() < 0.5 ? 'completed' : 'in_progress',
      sid3: null,
      clicks: 1,
      firstClickAt: null,
      lastClickAt: null,
      completedEvents: [],
      completedAt: null,
      updatedAt: '',
    });
  }
  return progress;
}

/** A ranking as plain data: each returned offer's fields, its breakdown read now. */
function plain(r: Ranking): Ranking {
  return {
    ...r,
    offers: r.offers.map((o) => ({
      offer: o.offer,
      progress: o.progress,
      eligible: o.eligible,
      score: o.score,
      metric: o.metric,
      breakdown: o.breakdown,
      boosts: [...o.boosts],
      rank: o.rank,
    })),
  };
}

function randomTargeting(rand: () => number): Targeting {
  return {
    country: rand() < 0.8 ? (COUNTRIES[Math.floor(rand() * 3)] as string) : null,
    device: (PLATFORMS[Math.floor(rand() * PLATFORMS.length)] ?? null) as Platform | null,
    osVersion: rand() < 0.5 ? '16.1' : null,
    bidFloor: rand() < 0.2 ? 50 : null,
  };
}

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
      t.deepEqual(plain(got[1] as Ranking), { ...expected, dropped: [] });
    }
  }
});
