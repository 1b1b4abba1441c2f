/**
 * PostgreSQL: a /track batch's insert ids are claimed (rows marked not stored), its events
 * stored in a transaction of their own, and only then the claims marked stored. An instance
 * killed between the events' commit and that update left the claims pending: once older than
 * PENDING_STALE_MS (30 s) another instance took them over as abandoned and stored the events
 * again. A retry after 30 s is what the Unity SDK does (it backs off for minutes).
 */
import anyTest, { type TestFn } from 'ava';
import { openPostgresStore } from '../../../src/apis.js';
import type { TrackedEvent } from '../../../src/banner/store/banner-store.js';
import { usePostgres } from '../../helpers/postgres-server.js';

const test = anyTest as TestFn;
const pg = usePostgres(test);

const event = (userId: string, name: string): TrackedEvent => ({
  userId,
  name,
  time: null,
  receivedAt: '2026-11-20T12:00:00.000Z',
  renderId: null,
  experimentId: null,
  variationId: null,
  value: null,
});

test('postgres: the claims are marked stored in the events transaction: a retry after a kill between the two is a duplicate', async (t) => {
  const url = await pg().freshDatabase('track_claims');
  const [a, b] = [await openPostgresStore(url, { max: 2 }), await openPostgresStore(url, { max: 2 })];
  t.teardown(async () => {
    await a.close();
    await b.close();
  });
  const at = new Date('2026-11-20T12:00:00.000Z');
  const batch = [event('u1', 'AppStart'), event('u1', 'LevelUp')];
  const keys = ['k1', 'k2'];
  let stored!: () => void;
  const eventsStored = new Promise<void>((resolve) => {
    stored = resolve;
  });
  // Instance a stores the events, then is "killed": its claim call never goes on.
  void a.profiles.claimInsertIds('app', keys, at, async () => {
    await a.banner.track('app', batch, keys);
    stored();
    await new Promise<void>(() => {});
  });
  await eventsStored;
  // The SDK's retry, to the other instance, after the claims would count as abandoned.
  const later = new Date(at.getTime() + 60_000);
  const claimed = await b.profiles.claimInsertIds('app', keys, later, async (c) => {
    if (c.size > 0) await b.banner.track('app', batch, [...c]);
  });
  t.deepEqual([...claimed], [], 'the retry is a duplicate');
  t.is((await b.banner.user('app', 'u1'))?.events, 2, 'stored once');
});

test('postgres: a store that fails after its events committed (the COMMIT answer lost) keeps their claims: the retry of the 503 is a duplicate', async (t) => {
  const url = await pg().freshDatabase('track_lost_commit');
  const store = await openPostgresStore(url, { max: 2 });
  t.teardown(() => store.close());
  const at = new Date('2026-11-20T12:00:00.000Z');
  const batch = [event('u2', 'AppStart'), event('u2', 'SpecialOfferPopupPurchased')];
  const keys = ['lost-1', 'lost-2'];
  await t.throwsAsync(
    store.profiles.claimInsertIds('app', keys, at, async () => {
      await store.banner.track('app', batch, keys);
      throw new Error('Query read timeout');
    }),
    { message: 'Query read timeout' },
  );
  const claimed = await store.profiles.claimInsertIds(
    'app',
    keys,
    new Date(at.getTime() + 1000),
    async (c) => {
      if (c.size > 0) await store.banner.track('app', batch, [...c]);
    },
  );
  t.deepEqual([...claimed], [], 'the retry is a duplicate');
  t.like(await store.banner.user('app', 'u2'), { events: 2, purchases: 1 });
});

test('postgres: a store that fails before its commit releases its claims: the retry stores the events', async (t) => {
  const url = await pg().freshDatabase('track_failed');
  const store = await openPostgresStore(url, { max: 2 });
  t.teardown(() => store.close());
  const at = new Date('2026-11-20T12:00:00.000Z');
  const batch = [event('u3', 'AppStart')];
  await t.throwsAsync(
    store.profiles.claimInsertIds('app', ['f-1'], at, async () => {
      throw new Error('the database is unavailable');
    }),
  );
  const claimed = await store.profiles.claimInsertIds(
    'app',
    ['f-1'],
    new Date(at.getTime() + 1000),
    async (c) => {
      if (c.size > 0) await store.banner.track('app', batch, [...c]);
    },
  );
  t.deepEqual([...claimed], ['f-1']);
  t.like(await store.banner.user('app', 'u3'), { events: 1 });
});
