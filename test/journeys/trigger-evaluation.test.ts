import test from 'ava';
import { createAppLoader } from '../../src/apis.js';
import type { JourneyEvent, JourneyUser, Offer } from '../../src/journeys/domain/journey-types.js';
import { evaluateJourney, evaluateTriggers } from '../../src/journeys/journey-evaluator.js';
import { readAppFiles } from '../../src/rules/app-loader.js';

/**
 * The generation job decides with evaluateTriggers (matched flags only, for speed on a
 * million users); explain and the fixtures with evaluateJourney. They must never differ.
 */
const NOW = new Date('2026-11-20T12:00:00.000Z');
const DAY = 86_400_000;

/** A small deterministic generator: the same 400 users on every run. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

function userState(i: number, next: () => number) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
  const createdDaysAgo = pick([1, 3, 10, 40, 90]);
  const user: JourneyUser = {
    id: `id-${i}`,
    externalId: `u${i}`,
    displayName: null,
    email: null,
    phone: null,
    country: pick([null, 'DE', 'US']),
    device: null,
    source: null,
    tags: next() < 0.2 ? { vip: true } : {},
    metadata: {},
    createdAt: new Date(NOW.getTime() - createdDaysAgo * DAY).toISOString(),
    updatedAt: NOW.toISOString(),
  };
  const events: JourneyEvent[] = Array.from({ length: pick([0, 1, 3, 8, 40]) }, (_, k) => {
    const at = new Date(NOW.getTime() - next() * pick([2, 10, 35, 70]) * DAY).toISOString();
    const category = pick(['GAME_PLAY', 'GAME_PLAY', 'CAMPAIGN', 'PURCHASE']);
    return {
      id: `e-${i}-${k}`,
      externalId: user.externalId,
      clientEventId: null,
      category,
      eventType: 'spin',
      points: pick([0, 10, 200]),
      occurredAt: at,
      receivedAt: at,
      metadata: category === 'CAMPAIGN' ? { campaignId: pick(['c1', 'c2']) } : {},
    };
  });
  const offers: Offer[] = Array.from({ length: pick([0, 0, 1, 3]) }, (_, k) => ({
    id: `o-${i}-${k}`,
    externalId: user.externalId,
    offerType: pick(['welcome_bonus', 'win_back', 'streak_boost']),
    gameType: null,
    title: 't',
    description: 'd',
    pointsValue: 10,
    status: pick(['active', 'claimed', 'expired'] as const),
    createdAt: new Date(NOW.getTime() - 2 * DAY).toISOString(),
    expiresAt: new Date(NOW.getTime() + pick([-1, 1]) * DAY).toISOString(),
    claimedAt: null,
    metadata: {},
  }));
  return { user, events, offers };
}

test('the generation job decides every user exactly as explain does (400 varied users, demo rules)', async (t) => {
  const loaded = createAppLoader().load(await readAppFiles('rules', 'demo'));
  if (!loaded.ok || !loaded.rules.journeys) throw new Error('demo rules do not load');
  const rules = loaded.rules.journeys;
  const next = random(21);
  const combinations = new Set<string>();
  for (let i = 0; i < 400; i++) {
    const state = userState(i, next);
    const full = await evaluateJourney(rules, state, NOW);
    const lean = await evaluateTriggers(rules, state, NOW);
    t.deepEqual(lean, { profile: full.profile, user: full.user, triggers: full.triggers }, `user ${i}`);
    combinations.add(lean.triggers.map((x) => (x.matched ? 1 : 0)).join(''));
  }
  // Not vacuous: the users differ in which triggers match.
  t.true(combinations.size >= 3, [...combinations].join(' '));
});
