import test from 'ava';
import type { Offer, OfferLimits } from '../../../src/journeys/domain/journey-types.js';
import { type OfferTrigger, PlanMemo, planOffers } from '../../../src/journeys/domain/offer-planner.js';
import { parseTemplate, type TextTemplate } from '../../../src/journeys/domain/text-template.js';

const NOW = new Date('2026-11-20T12:00:00.000Z');
const HOUR = 3_600_000;
const LIMITS: OfferLimits = { maxActiveOffers: 3, maxActivePerType: 1, inactivityDays: 60 };

function tpl(source: string): TextTemplate {
  const parsed = parseTemplate(source);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed.template;
}

const trigger = (offerType: string, priority: number, over: Partial<OfferTrigger> = {}): OfferTrigger => ({
  offerType,
  priority,
  gameType: null,
  title: tpl(offerType),
  description: tpl('{{ offer.pointsValue }} points for {{ user.displayName | you }}'),
  pointsValue: 10,
  expiresInMs: 24 * HOUR,
  cooldownMs: 0,
  metadata: {},
  ...over,
});

const offer = (offerType: string, over: Partial<Offer> = {}): Offer => ({
  id: `o-${offerType}`,
  externalId: 'u1',
  offerType,
  gameType: null,
  title: '',
  description: '',
  pointsValue: 1,
  status: 'active',
  createdAt: new Date(NOW.getTime() - HOUR).toISOString(),
  expiresAt: new Date(NOW.getTime() + HOUR).toISOString(),
  claimedAt: null,
  metadata: {},
  ...over,
});

let n = 0;
const plan = (
  triggers: { trigger: OfferTrigger; matched: boolean }[],
  offers: Offer[] = [],
  days = 1,
  at: { now?: Date; memo?: PlanMemo } = {},
) =>
  planOffers({
    externalId: 'u1',
    triggers,
    offers,
    limits: LIMITS,
    daysSinceLastSeen: days,
    facts: { user: { displayName: null } },
    now: at.now ?? NOW,
    newId: () => `id-${++n}`,
    ...(at.memo ? { memo: at.memo } : {}),
  });

test('matched triggers by priority, up to the maximum; the rest say why', (t) => {
  const p = plan([
    { trigger: trigger('low', 1), matched: true },
    { trigger: trigger('top', 9), matched: true },
    { trigger: trigger('off', 8), matched: false },
    { trigger: trigger('mid', 5), matched: true },
    { trigger: trigger('also', 4), matched: true },
  ]);
  t.is(p.reason, 'MATCH');
  t.deepEqual(
    p.create.map((o) => o.offerType),
    ['top', 'mid', 'also'],
  );
  t.deepEqual(
    p.verdicts.map((v) => `${v.offerType}=${v.verdict}`),
    ['top=created', 'off=no_match', 'mid=created', 'also=created', 'low=max_active'],
  );
  t.is(p.create[0]?.description, '10 points for you');
  t.is(p.create[0]?.expiresAt, new Date(NOW.getTime() + 24 * HOUR).toISOString());
});

// A run's PlanMemo reuses a priority order and offer instants: lists of other priorities,
// and planning at another instant than the memo's, are ordered and dated anew.
test('the same triggers plan the same way for every user; another list or instant is ordered and dated anew', (t) => {
  const memo = new PlanMemo(NOW);
  const [a, b, c, d] = [
    trigger('a', 1),
    trigger('b', 3),
    trigger('c', 3),
    trigger('d', 9, { cooldownMs: HOUR }),
  ];
  const order = (list: OfferTrigger[]) =>
    plan(
      list.map((x) => ({ trigger: x, matched: false })),
      [],
      1,
      { memo },
    ).verdicts.map((v) => v.offerType);
  t.deepEqual(order([a, b, c]), ['b', 'c', 'a']);
  t.deepEqual(order([a, b, c]), ['b', 'c', 'a']);
  t.deepEqual(order([a, c, b]), ['c', 'b', 'a'], 'ties keep the list order');
  t.deepEqual(order([a, b, c, d]), ['d', 'b', 'c', 'a']);
  t.deepEqual(order([a, b]), ['b', 'a']);
  t.deepEqual(order([a]), ['a']);
  t.deepEqual(order([]), []);
  const later = new Date(NOW.getTime() + HOUR);
  const created = (now: Date, x = d) => plan([{ trigger: x, matched: true }], [], 1, { now, memo }).create[0];
  // Another expiry under the same memo is dated on its own.
  t.is(created(NOW, trigger('e', 1, { expiresInMs: HOUR }))?.expiresAt, later.toISOString());
  for (const now of [NOW, later, NOW]) {
    t.is(created(now)?.createdAt, now.toISOString());
    t.is(created(now)?.expiresAt, new Date(now.getTime() + 24 * HOUR).toISOString());
    t.is(created(now)?.notOfferedSince, new Date(now.getTime() - HOUR).toISOString());
  }
});

// A run's PlanMemo renders a text that reads only the offer's fields once per trigger; a
// text that reads the user's facts is still rendered for each user.
test('under one memo, each user gets their own text where it reads their facts', (t) => {
  const memo = new PlanMemo(NOW);
  const personal = trigger('personal', 2, { title: tpl('Hi {{ user.displayName | you }}') });
  const fixed = trigger('fixed', 1, { title: tpl('{{ offer.pointsValue }} points'), pointsValue: 7 });
  const texts = (displayName: string | null) =>
    planOffers({
      externalId: 'u1',
      triggers: [personal, fixed].map((x) => ({ trigger: x, matched: true })),
      offers: [],
      limits: LIMITS,
      daysSinceLastSeen: 1,
      facts: { user: { displayName } },
      now: NOW,
      newId: () => `id-${++n}`,
      memo,
    }).create.map((o) => [o.title, o.description]);
  for (const [name, shown] of [
    ['Ann', 'Ann'],
    ['Bob', 'Bob'],
    [null, 'you'],
  ] as const) {
    t.deepEqual(texts(name), [
      [`Hi ${shown}`, `10 points for ${shown}`],
      ['7 points', `7 points for ${shown}`],
    ]);
  }
});

test('an active type is not offered again; an expired one no longer counts', (t) => {
  const p = plan(
    [
      { trigger: trigger('a', 2), matched: true },
      { trigger: trigger('b', 1), matched: true },
    ],
    [offer('a'), offer('b', { expiresAt: NOW.toISOString() })],
  );
  t.deepEqual(
    p.verdicts.map((v) => v.verdict),
    ['type_active', 'created'],
  );
});

test('cooldown counts from the last offer of the type, claimed or not', (t) => {
  const cool = trigger('a', 1, { cooldownMs: 48 * HOUR });
  const claimed = offer('a', {
    status: 'claimed',
    createdAt: new Date(NOW.getTime() - 47 * HOUR).toISOString(),
  });
  t.is(plan([{ trigger: cool, matched: true }], [claimed]).verdicts[0]?.verdict, 'cooldown');
  const old = { ...claimed, createdAt: new Date(NOW.getTime() - 48 * HOUR).toISOString() };
  const p = plan([{ trigger: cool, matched: true }], [old]);
  t.is(p.verdicts[0]?.verdict, 'created');
  t.is(p.create[0]?.notOfferedSince, new Date(NOW.getTime() - 48 * HOUR).toISOString());
});

test('more than inactivityDays since last seen: nothing, reason INACTIVE; exactly 60 days still gets offers', (t) => {
  const triggers = [{ trigger: trigger('a', 1), matched: true }];
  t.is(plan(triggers, [], 60.01).reason, 'INACTIVE');
  t.deepEqual(plan(triggers, [], 60.01).create, []);
  t.is(plan(triggers, [], 60).reason, 'MATCH');
});

test('NO_MATCH when nothing matched, LIMITED when everything matched was blocked', (t) => {
  t.is(plan([{ trigger: trigger('a', 1), matched: false }]).reason, 'NO_MATCH');
  t.is(plan([{ trigger: trigger('a', 1), matched: true }], [offer('a')]).reason, 'LIMITED');
});
