import anyTest, { type TestFn } from 'ava';
import { openPostgresStore } from '../../../src/apis.js';
import type { TrackedEvent } from '../../../src/banner/store/banner-store.js';
import type { NewEvent, Partition } from '../../../src/journeys/domain/journey-types.js';
import type { ClickRecord } from '../../../src/offerwall/store/offerwall-store.js';
import { usePostgres } from '../../helpers/postgres-server.js';

/**
 * A value PostgreSQL refuses — a NUL character, which neither `text` nor `jsonb` can hold —
 * fails only the statement (or transaction) it is in: the other writes in flight at the
 * same moment, on the same pool, commit, and the pool keeps working.
 */
const test = anyTest as TestFn;
const server = usePostgres(test);

const P: Partition = { appId: 'demo', environment: 'test' };
const NOW = new Date('2026-11-20T12:00:00.000Z');
const NUL = 'a\u0000b';
let seq = 0;
const newId = (): string => `00000000-0000-4000-b000-${String(++seq).padStart(12, '0')}`;

const event = (externalId: string, metadata: Record<string, unknown> = {}): NewEvent => ({
  id: newId(),
  externalId,
  clientEventId: null,
  category: 'GAME_PLAY',
  eventType: 'spin',
  points: 1,
  occurredAt: NOW.toISOString(),
  metadata,
});

const tracked = (userId: string, name: string): TrackedEvent => ({
  userId,
  name,
  time: null,
  receivedAt: NOW.toISOString(),
  renderId: null,
  experimentId: null,
  variationId: null,
  value: null,
});

const click = (uid: string, sid3: string | null): ClickRecord => ({
  appId: 'demo',
  wallId: 1001,
  uid,
  offerId: 7,
  category: 'games',
  offerType: 1,
  sid3,
  at: NOW.toISOString(),
});

test('a NUL character fails only its own write; the writes beside it commit', async (t) => {
  const url = await server().freshDatabase('refused');
  // A small pool: failed transactions must hand their connections back.
  const store = await openPostgresStore(url, { max: 2 });
  t.teardown(() => store.close());
  const j = store.journeys;
  await j.upsertUser(P, { externalId: 'victim', metadata: { level: 1 } }, NOW, newId);

  const outcomes = await Promise.allSettled([
    j.upsertUser(P, { externalId: 'victim', metadata: { note: NUL } }, NOW, newId),
    j.upsertUser(P, { externalId: 'nul-name', displayName: NUL }, NOW, newId),
    j.appendEvents(P, [event('batch-mate'), event('victim', { note: NUL })], NOW, newId),
    store.banner.track('demo', [tracked('ok-user', 'login'), tracked('nul-user', NUL)]),
    store.offerwall.recordClick(click('nul-click', NUL)),
    j.upsertUser(P, { externalId: 'ok', displayName: 'Ok' }, NOW, newId),
    j.appendEvents(P, [event('ok')], NOW, newId),
    store.banner.track('demo', [tracked('ok-user', 'login')]),
    store.offerwall.recordClick(click('ok-click', 'fine')),
  ]);
  t.deepEqual(
    outcomes.map((o) => o.status),
    [...Array(5).fill('rejected'), ...Array(4).fill('fulfilled')],
  );
  for (let i = 0; i < 10; i++) await j.upsertUser(P, { externalId: `after-${i}` }, NOW, newId);

  t.deepEqual((await j.getUser(P, 'victim'))?.metadata, { level: 1 });
  t.is((await j.userEvents(P, 'victim')).length, 0);
  t.is(await j.getUser(P, 'nul-name'), null);
  t.is(await j.getUser(P, 'batch-mate'), null, 'a batch is all or nothing');
  t.is((await j.getUser(P, 'ok'))?.displayName, 'Ok');
  t.is((await j.userEvents(P, 'ok')).length, 1);
  t.is((await store.banner.user('demo', 'ok-user'))?.events, 1);
  t.is(await store.banner.user('demo', 'nul-user'), null);
  t.deepEqual(await store.offerwall.progressOf('demo', 'nul-click'), []);
  t.is((await store.offerwall.progressOf('demo', 'ok-click')).length, 1);
  t.truthy(await j.getUser(P, 'after-9'));
});
