import anyTest, { type ExecutionContext, type TestFn } from 'ava';
import pg from 'pg';
import { openPostgresStore } from '../../../src/apis.js';
import type {
  NewEvent,
  NewOffer,
  OfferLimits,
  Partition,
} from '../../../src/journeys/domain/journey-types.js';
import type { EventRecord } from '../../../src/offerwall/store/offerwall-store.js';
import type { PostgresStore } from '../../../src/store/postgres/postgres-store.js';
import { usePostgres } from '../../helpers/postgres-server.js';

/**
 * Two PostgresStore instances — two pools, as two offerd processes would have — on one
 * database, racing on the same keys. In-process atomicity proves nothing here: only the
 * database's constraints, conditional statements and locks can keep these invariants.
 */
const test = anyTest as TestFn;
const server = usePostgres(test);

async function twoInstances(t: ExecutionContext): Promise<[PostgresStore, PostgresStore]> {
  const url = await server().freshDatabase('cross');
  // Opened at once: both migrate, under the advisory lock.
  const pair = await Promise.all([openPostgresStore(url, { max: 8 }), openPostgresStore(url, { max: 8 })]);
  t.teardown(() => Promise.all(pair.map((s) => s.close())));
  return pair;
}

const P: Partition = { appId: 'demo', environment: 'live' };
const NOW = new Date('2026-11-20T12:00:00.000Z');
const LIMITS: OfferLimits = { maxActiveOffers: 3, maxActivePerType: 1, inactivityDays: 60 };
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

let seq = 0;
const newId = (): string => `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`;

const offer = (externalId: string, offerType: string): NewOffer => ({
  id: newId(),
  externalId,
  offerType,
  gameType: null,
  title: offerType,
  description: '',
  pointsValue: 50,
  createdAt: NOW.toISOString(),
  expiresAt: new Date(NOW.getTime() + 86_400_000).toISOString(),
  metadata: {},
  notOfferedSince: null,
});

const journeyEvent = (externalId: string, clientEventId: string | null): NewEvent => ({
  id: newId(),
  externalId,
  clientEventId,
  category: 'GAME_PLAY',
  eventType: 'spin',
  points: 1,
  occurredAt: NOW.toISOString(),
  metadata: {},
});

test('a new user racing on two instances gets one variation, the same from both', async (t) => {
  const [a, b] = await twoInstances(t);
  const users = range(200).map((i) => `user-${i}`);
  const proposal = (userId: string, variationId: number) => ({
    experimentId: 'exp',
    bucketVersion: 1,
    userId,
    variationId,
    assignedAt: NOW.toISOString(),
  });
  const results = await Promise.all(
    users.map((u) =>
      Promise.all([a.banner.assign('demo', proposal(u, 1)), b.banner.assign('demo', proposal(u, 2))]),
    ),
  );
  for (const [i, [fromA, fromB]] of results.entries()) {
    t.deepEqual(fromA.assignment, fromB.assignment, users[i]);
    t.is(Number(fromA.created) + Number(fromB.created), 1, users[i]);
  }
  const stored = await Promise.all(users.map((u) => b.banner.assignments('demo', u)));
  t.true(
    stored.every(
      (list, i) => list.length === 1 && list[0]?.variationId === results[i]?.[0].assignment.variationId,
    ),
  );
});

test('generation on two instances at once keeps the total and per-type limits of every user', async (t) => {
  const [a, b] = await twoInstances(t);
  const users = range(60).map((i) => `player-${String(i).padStart(3, '0')}`);
  for (const u of users) await a.journeys.upsertUser(P, { externalId: u }, NOW, newId);
  // Each instance plans four types for every user, in its own order, twice over.
  const plan = (types: string[]) => users.flatMap((u) => types.map((type) => offer(u, type)));
  const runs = await Promise.all([
    a.journeys.createOffers(P, plan(['a', 'b', 'c', 'd']), LIMITS, NOW),
    b.journeys.createOffers(P, plan(['d', 'c', 'b', 'a']), LIMITS, NOW),
    a.journeys.createOffers(P, plan(['b', 'd', 'a', 'c']), LIMITS, NOW),
    b.journeys.createOffers(P, plan(['c', 'a', 'd', 'b']), LIMITS, NOW),
  ]);
  t.is(
    runs.reduce((n, r) => n + r.created.length, 0),
    users.length * LIMITS.maxActiveOffers,
  );
  for (const u of users) {
    const offers = await b.journeys.userOffers(P, u);
    t.is(offers.length, 3, u);
    t.is(new Set(offers.map((o) => o.offerType)).size, 3, u);
  }
});

test('one offer type planned by both instances at once is created once per user', async (t) => {
  const [a, b] = await twoInstances(t);
  const users = range(100).map((i) => `solo-${i}`);
  for (const u of users) await b.journeys.upsertUser(P, { externalId: u }, NOW, newId);
  const plan = () => users.map((u) => offer(u, 'welcome_bonus'));
  const [fromA, fromB] = await Promise.all([
    a.journeys.createOffers(P, plan(), LIMITS, NOW),
    b.journeys.createOffers(P, plan(), LIMITS, NOW),
  ]);
  t.is(fromA.created.length + fromB.created.length, users.length);
  t.true([...fromA.rejected, ...fromB.rejected].every((r) => r.reason === 'type_active'));
});

test('an offer claimed on both instances at once is claimed exactly once, with one event', async (t) => {
  const [a, b] = await twoInstances(t);
  const users = range(40).map((i) => `claimer-${i}`);
  for (const u of users) await a.journeys.upsertUser(P, { externalId: u }, NOW, newId);
  const { created } = await a.journeys.createOffers(
    P,
    users.map((u) => offer(u, 'bonus')),
    LIMITS,
    NOW,
  );
  const claim = (s: PostgresStore, o: { id: string; externalId: string }) =>
    s.journeys.claimOffer(P, o.externalId, o.id, NOW, () => journeyEvent(o.externalId, null));
  const results = await Promise.all(created.map((o) => Promise.all([claim(a, o), claim(b, o)])));
  for (const pair of results) t.is(pair.filter((r) => r.ok).length, 1);
  const events = await Promise.all(users.map((u) => b.journeys.userEvents(P, u)));
  t.true(events.every((list) => list.length === 1));
});

test('a client event id sent to both instances, in opposite batch orders, is stored once', async (t) => {
  const [a, b] = await twoInstances(t);
  for (const round of range(20)) {
    const ids = range(100).map((i) => `client-${round}-${i}`);
    const batch = (order: string[]) => order.map((id) => journeyEvent(`fan-${id}`, id));
    const reversed = [...ids].reverse();
    await Promise.all([
      a.journeys.appendEvents(P, batch(ids), NOW, newId),
      b.journeys.appendEvents(P, batch(reversed), NOW, newId),
      b.journeys.appendEvents(P, batch(ids), NOW, newId),
      a.journeys.appendEvents(P, batch(reversed), NOW, newId),
    ]);
    const stored = await Promise.all(ids.map((id) => a.journeys.userEvents(P, `fan-${id}`)));
    t.true(
      stored.every((list) => list.length === 1),
      `round ${round}`,
    );
  }
});

const postback = (transactionId: string, offerId: number, eventId: string, final: boolean): EventRecord => ({
  appId: 'demo',
  wallId: 1001,
  uid: 'earner',
  offerId,
  category: 'Games',
  offerType: 4,
  eventId,
  transactionId,
  final,
  at: NOW.toISOString(),
});

test('a postback replayed on the other instance at once is recorded once', async (t) => {
  const [a, b] = await twoInstances(t);
  const results = await Promise.all(
    range(50).map((i) => {
      const e = postback(`tx-${i}`, 100 + i, 'base', true);
      return Promise.all([a.offerwall.recordEvent(e), b.offerwall.recordEvent({ ...e })]);
    }),
  );
  for (const pair of results) t.deepEqual(pair.map((r) => r.result).sort(), ['duplicate', 'recorded']);
  const progress = await a.offerwall.progressOf('demo', 'earner');
  t.is(progress.length, 50);
  t.true(progress.every((p) => p.status === 'completed' && p.completedEvents.length === 1));
  // Different transactions of one offer on both instances: neither event is lost.
  await Promise.all(
    range(20).map((i) =>
      Promise.all([
        a.offerwall.recordEvent(postback(`step-a-${i}`, 900 + i, 'level-5', false)),
        b.offerwall.recordEvent(postback(`step-b-${i}`, 900 + i, 'level-10', false)),
      ]),
    ),
  );
  const steps = (await b.offerwall.progressOf('demo', 'earner')).filter((p) => p.offerId >= 900);
  t.true(steps.every((p) => [...p.completedEvents].sort().join() === 'level-10,level-5'));
});

test('bans are shared: added on one instance, they stop the user on the other', async (t) => {
  const [a, b] = await twoInstances(t);
  const ban = { appId: 'demo', type: 'user' as const, value: 'cheater', wallId: null, reason: 'fraud' };
  await a.offerwall.addBan({ ...ban, id: 'ban-1', createdAt: NOW.toISOString() });
  t.deepEqual(
    (await b.offerwall.bansFor('demo', 'cheater')).map((x) => x.id),
    ['ban-1'],
  );
  await t.throwsAsync(() =>
    b.offerwall.addBan({ ...ban, value: 'other', id: 'ban-1', createdAt: NOW.toISOString() }),
  );
  // The same ban from both instances at once: one row, both answered with it.
  const both = await Promise.all(
    [a, b, a, b].map((s, i) =>
      s.offerwall.addBan({ ...ban, value: 'dupban', id: `dup-${i}`, createdAt: NOW.toISOString() }),
    ),
  );
  t.is(both.filter((x) => x.created).length, 1);
  t.is(new Set(both.map((x) => x.ban.id)).size, 1);
  t.is((await a.offerwall.listBans('demo')).filter((x) => x.value === 'dupban').length, 1);
  t.true(await b.offerwall.removeBan('demo', 'ban-1'));
  t.deepEqual(await a.offerwall.bansFor('demo', 'cheater'), []);
});

test('tracked batches over the same users in opposite orders on two instances lose nothing', async (t) => {
  const [a, b] = await twoInstances(t);
  const users = range(20).map((i) => `tracker-${i}`);
  const batch = (order: string[]) =>
    order.map((userId) => ({
      userId,
      name: 'LevelUp',
      time: null,
      receivedAt: NOW.toISOString(),
      renderId: null,
      experimentId: null,
      variationId: null,
      value: null,
    }));
  await Promise.all(
    range(5).flatMap(() => [
      a.banner.track('demo', batch(users)),
      b.banner.track('demo', batch([...users].reverse())),
    ]),
  );
  const activity = await Promise.all(users.map((u) => a.banner.user('demo', u)));
  t.true(activity.every((x) => x?.events === 10 && x.eventStats[0]?.count === 10));
});

test('a connection killed while idle is reported, not fatal: the next query reconnects', async (t) => {
  const url = await server().freshDatabase('idle');
  const errors: Error[] = [];
  const store = await openPostgresStore(url, { max: 2, onIdleError: (err) => errors.push(err) });
  t.teardown(() => store.close());
  await store.offerwall.listBans('demo');
  // What a database restart or failover does to the pool's idle connections.
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(
    'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
  );
  await admin.end();
  for (let i = 0; i < 50 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  t.true(errors.length > 0);
  t.deepEqual(await store.offerwall.listBans('demo'), []);
});
