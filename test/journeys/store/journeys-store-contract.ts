import type { ExecutionContext, TestFn } from 'ava';
import fc from 'fast-check';
import type {
  NewEvent,
  NewOffer,
  OfferLimits,
  Partition,
} from '../../../src/journeys/domain/journey-types.js';
import { DAY_MS, type EventTotals, eventTotals } from '../../../src/journeys/domain/profile-aggregates.js';
import type { JourneysStore } from '../../../src/journeys/store/journeys-store.js';

export interface OpenedJourneysStore {
  store: JourneysStore;
  close(): Promise<void>;
  /** Persistent adapters: opens the same data again after close(), as a restart would. */
  reopen?(): Promise<OpenedJourneysStore>;
}

const TEST: Partition = { appId: 'demo', environment: 'test' };
const LIVE: Partition = { appId: 'demo', environment: 'live' };
const OTHER_APP: Partition = { appId: 'other', environment: 'test' };
const NOW = new Date('2026-11-20T12:00:00.000Z');
const LIMITS: OfferLimits = { maxActiveOffers: 3, maxActivePerType: 1, inactivityDays: 60 };
const HOUR = 3_600_000;

let seq = 0;
const id = (): string => `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`;
const at = (hours: number): string => new Date(NOW.getTime() + hours * HOUR).toISOString();

const event = (over: Partial<NewEvent> = {}): NewEvent => ({
  id: id(),
  externalId: 'u1',
  clientEventId: null,
  category: 'GAME_PLAY',
  eventType: 'spin',
  points: 10,
  occurredAt: at(-1),
  metadata: {},
  ...over,
});

const offer = (over: Partial<NewOffer> = {}): NewOffer => ({
  id: id(),
  externalId: 'u1',
  offerType: 'welcome_bonus',
  gameType: null,
  title: 'Welcome',
  description: 'Hello',
  pointsValue: 100,
  createdAt: NOW.toISOString(),
  expiresAt: at(24),
  metadata: { source: 'contract' },
  notOfferedSince: null,
  ...over,
});

/**
 * The behaviour every JourneysStore adapter must show. `open` gives a fresh, empty
 * store for each case; with `persistent`, data must survive close + reopen.
 */
export function journeysStoreContract(
  test: TestFn,
  name: string,
  open: () => Promise<OpenedJourneysStore>,
  options: { persistent?: boolean } = {},
): void {
  const withStore = (title: string, body: (t: ExecutionContext, s: JourneysStore) => Promise<void>) =>
    test(`journeys store (${name}): ${title}`, async (t) => {
      const opened = await open();
      t.teardown(() => opened.close());
      await body(t, opened.store);
    });

  withStore(
    'upsert creates, then patches only the given fields; tags merge and null removes',
    async (t, s) => {
      const first = await s.upsertUser(
        TEST,
        { externalId: 'u1', displayName: 'Ada', country: 'DE', tags: { vip: true, level: 3 } },
        NOW,
        id,
      );
      t.true(first.created);
      t.is(first.user.displayName, 'Ada');
      const later = new Date(NOW.getTime() + HOUR);
      const second = await s.upsertUser(
        TEST,
        { externalId: 'u1', country: null, tags: { vip: null, team: 'red' }, metadata: { a: 1 } },
        later,
        id,
      );
      t.false(second.created);
      t.is(second.user.id, first.user.id);
      t.is(second.user.displayName, 'Ada');
      t.is(second.user.country, null);
      t.deepEqual(second.user.tags, { level: 3, team: 'red' });
      t.deepEqual(second.user.metadata, { a: 1 });
      t.is(second.user.createdAt, NOW.toISOString());
      t.is(second.user.updatedAt, later.toISOString());
      t.deepEqual(await s.getUser(TEST, 'u1'), second.user);
    },
  );

  withStore('partitions never meet: environments and apps are separate', async (t, s) => {
    await s.upsertUser(TEST, { externalId: 'u1', displayName: 'Test Ada' }, NOW, id);
    await s.appendEvents(TEST, [event({ clientEventId: 'c1' })], NOW, id);
    t.is(await s.getUser(LIVE, 'u1'), null);
    t.is(await s.getUser(OTHER_APP, 'u1'), null);
    t.deepEqual(await s.userEvents(LIVE, 'u1'), []);
    // The same client event id in another environment is another event.
    const [live] = await s.appendEvents(LIVE, [event({ clientEventId: 'c1' })], NOW, id);
    t.false(live?.duplicate);
    const { created } = await s.createOffers(TEST, [offer()], LIMITS, NOW);
    const offerId = created[0]?.id ?? '';
    t.deepEqual(await s.userOffers(LIVE, 'u1'), []);
    const claim = await s.claimOffer(LIVE, 'u1', offerId, NOW, (o) => event({ points: o.pointsValue }));
    t.deepEqual(claim, { ok: false, reason: 'not_found' });
  });

  withStore(
    "a user's event totals are eventTotals of their events, windows' edges included",
    async (t, s) => {
      // Ages on and around the windows' edges (an event exactly 7 days old is out of the
      // last 7 days), and anywhere in the last 60 days; the future too (a client's clock).
      const age = fc.oneof(
        fc.constantFrom(0, 7 * DAY_MS, 7 * DAY_MS - 1, 7 * DAY_MS + 1, 30 * DAY_MS, 30 * DAY_MS - 1, -HOUR),
        fc.integer({ min: 0, max: 60 * DAY_MS }),
      );
      const campaignId = fc.oneof(
        fc.constantFrom('spring', 'summer', '7', 7, 7.5, -1, 0, null, true, { id: 1 }),
        fc.string({ maxLength: 3 }),
        fc.integer(),
      );
      const anEvent = fc.record({
        category: fc.constantFrom('GAME_PLAY', 'CAMPAIGN', 'OFFER', 'game_play'),
        points: fc.integer({ min: -1_000_000, max: 1_000_000 }),
        age,
        won: fc.constantFrom(true, false, 'true', 1, undefined),
        campaignId: fc.option(campaignId, { nil: undefined }),
      });
      let n = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(anEvent, { maxLength: 25 }), async (drawn) => {
          const user = `totals-${++n}`;
          const events = drawn.map((e) =>
            event({
              externalId: user,
              category: e.category,
              points: e.points,
              occurredAt: new Date(NOW.getTime() - e.age).toISOString(),
              metadata: {
                ...(e.won === undefined ? {} : { won: e.won }),
                ...(e.campaignId === undefined ? {} : { campaignId: e.campaignId }),
              },
            }),
          );
          if (events.length > 0) await s.appendEvents(TEST, events, NOW, id);
          // Another environment's events of the same id never count.
          await s.appendEvents(LIVE, [event({ externalId: user, points: 5 })], NOW, id);
          t.deepEqual(await s.eventTotals(TEST, user, NOW), eventTotals(events, NOW), user);
        }),
        { numRuns: 30 },
      );
      t.deepEqual(
        await s.eventTotals(TEST, 'nobody', NOW),
        eventTotals([], NOW),
        'an unknown user has zero totals',
      );
    },
  );

  withStore(
    'events create a bare user; a client event id is stored once, also within one call',
    async (t, s) => {
      const results = await s.appendEvents(
        TEST,
        [event({ clientEventId: 'a' }), event({ clientEventId: 'a' }), event()],
        NOW,
        id,
      );
      t.deepEqual(
        results.map((r) => r.duplicate),
        [false, true, false],
      );
      t.is(results[1]?.event.id, results[0]?.event.id);
      const retry = await s.appendEvents(TEST, [event({ clientEventId: 'a', points: 999 })], NOW, id);
      t.true(retry[0]?.duplicate);
      t.is(retry[0]?.event.points, 10);
      t.is((await s.userEvents(TEST, 'u1')).length, 2);
      const user = await s.getUser(TEST, 'u1');
      t.is(user?.externalId, 'u1');
      t.is(user?.displayName, null);
    },
  );

  withStore('concurrent appends with one client event id store it once', async (t, s) => {
    const results = await Promise.all(
      Array.from({ length: 10 }, () => s.appendEvents(TEST, [event({ clientEventId: 'same' })], NOW, id)),
    );
    t.is(results.filter(([r]) => r && !r.duplicate).length, 1);
    t.is((await s.userEvents(TEST, 'u1')).length, 1);
  });

  withStore(
    "a client event id is the user's: another user's event with it is another event, and neither sees the other's",
    async (t, s) => {
      const [first] = await s.appendEvents(
        TEST,
        [event({ externalId: 'jn-1', clientEventId: 'tb-1', points: 7, metadata: { secret: 'jn-1' } })],
        NOW,
        id,
      );
      t.false(first?.duplicate);
      const [other] = await s.appendEvents(
        TEST,
        [event({ externalId: 'jn-2', clientEventId: 'tb-1', points: 3 })],
        NOW,
        id,
      );
      t.false(other?.duplicate, "jn-2's event is not a duplicate of jn-1's");
      t.is(other?.event.externalId, 'jn-2');
      t.is(other?.event.points, 3);
      t.deepEqual(other?.event.metadata, {}, "jn-1's metadata is never handed to jn-2");
      // Each user's retry is still answered with their own first event.
      const [retry1] = await s.appendEvents(
        TEST,
        [event({ externalId: 'jn-1', clientEventId: 'tb-1' })],
        NOW,
        id,
      );
      const [retry2] = await s.appendEvents(
        TEST,
        [event({ externalId: 'jn-2', clientEventId: 'tb-1' })],
        NOW,
        id,
      );
      t.true(retry1?.duplicate);
      t.is(retry1?.event.id, first?.event.id);
      t.true(retry2?.duplicate);
      t.is(retry2?.event.id, other?.event.id);
      t.deepEqual(
        (await s.userEvents(TEST, 'jn-1')).map((e) => [e.externalId, e.points]),
        [['jn-1', 7]],
      );
      t.deepEqual(
        (await s.userEvents(TEST, 'jn-2')).map((e) => [e.externalId, e.points]),
        [['jn-2', 3]],
      );
    },
  );

  withStore(
    'within one call, an id twice for one user is one event, for two users two events',
    async (t, s) => {
      const results = await s.appendEvents(
        TEST,
        [
          event({ externalId: 'b1', clientEventId: 'evt-1', points: 1 }),
          event({ externalId: 'b2', clientEventId: 'evt-1', points: 2 }),
          event({ externalId: 'b1', clientEventId: 'evt-1', points: 3 }),
          event({ externalId: 'b2', clientEventId: 'evt-1', points: 4 }),
        ],
        NOW,
        id,
      );
      t.deepEqual(
        results.map((r) => [r.event.externalId, r.event.points, r.duplicate]),
        [
          ['b1', 1, false],
          ['b2', 2, false],
          ['b1', 1, true],
          ['b2', 2, true],
        ],
      );
      t.is((await s.userEvents(TEST, 'b1')).length, 1);
      t.is((await s.userEvents(TEST, 'b2')).length, 1);
    },
  );

  withStore('concurrent appends of one id by two users store it once per user', async (t, s) => {
    const users = ['c1', 'c2'];
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        s.appendEvents(TEST, [event({ externalId: users[i % 2] as string, clientEventId: 'same' })], NOW, id),
      ),
    );
    for (const user of users) {
      const mine = results.flat().filter((r) => r.event.externalId === user);
      t.is(mine.length, 5, `${user} gets only their own event back`);
      t.is(mine.filter((r) => !r.duplicate).length, 1, user);
      t.is((await s.userEvents(TEST, user)).length, 1, user);
    }
  });

  withStore('events come back by occurrence; the timeline pages newest first', async (t, s) => {
    await s.appendEvents(
      TEST,
      [
        event({ eventType: 'b', occurredAt: at(-2) }),
        event({ eventType: 'a', occurredAt: at(-3) }),
        event({ eventType: 'c', occurredAt: at(-1) }),
        event({ eventType: 'd', occurredAt: at(-1) }),
      ],
      NOW,
      id,
    );
    t.deepEqual(
      (await s.userEvents(TEST, 'u1')).map((e) => e.eventType),
      ['a', 'b', 'c', 'd'],
    );
    const first = await s.timeline(TEST, 'u1', { offset: 0, limit: 3 });
    t.deepEqual(
      first.events.map((e) => e.eventType),
      ['d', 'c', 'b'],
    );
    t.is(first.total, 4);
    const second = await s.timeline(TEST, 'u1', { offset: 3, limit: 3 });
    t.deepEqual(
      second.events.map((e) => e.eventType),
      ['a'],
    );
    t.deepEqual((await s.timeline(TEST, 'u1', { offset: 9, limit: 3 })).events, []);
  });

  withStore(
    'createOffers holds the limits: per type, cooldown, total, unknown user, duplicate id',
    async (t, s) => {
      await s.upsertUser(TEST, { externalId: 'u1' }, NOW, id);
      const dup = offer({ offerType: 'a' });
      const { created, rejected } = await s.createOffers(
        TEST,
        [
          dup,
          offer({ offerType: 'a' }),
          offer({ offerType: 'b' }),
          offer({ offerType: 'c' }),
          offer({ offerType: 'd' }),
          offer({ externalId: 'ghost' }),
          { ...dup, offerType: 'e' },
        ],
        LIMITS,
        NOW,
      );
      t.deepEqual(
        created.map((o) => [o.offerType, o.status, o.claimedAt]),
        [
          ['a', 'active', null],
          ['b', 'active', null],
          ['c', 'active', null],
        ],
      );
      t.deepEqual(
        rejected.map((r) => r.reason),
        ['type_active', 'max_active', 'unknown_user', 'duplicate_id'],
      );
      t.deepEqual(created[0]?.metadata, { source: 'contract' });
      // Two days later every offer above has expired; type `a` was created at NOW.
      const later = new Date(NOW.getTime() + 48 * HOUR);
      const fresh = { createdAt: later.toISOString(), expiresAt: at(72) };
      const cooling = await s.createOffers(
        TEST,
        [offer({ offerType: 'a', notOfferedSince: at(-1), ...fresh })],
        LIMITS,
        later,
      );
      t.deepEqual(
        cooling.rejected.map((r) => r.reason),
        ['cooldown'],
      );
      const cooled = await s.createOffers(
        TEST,
        [offer({ offerType: 'a', notOfferedSince: at(1), ...fresh })],
        LIMITS,
        later,
      );
      t.is(cooled.created.length, 1);
    },
  );

  withStore('an offer past expiresAt no longer counts, even before it is marked expired', async (t, s) => {
    await s.upsertUser(TEST, { externalId: 'u1' }, NOW, id);
    await s.createOffers(TEST, [offer({ offerType: 'a', expiresAt: at(1) })], LIMITS, NOW);
    const later = new Date(NOW.getTime() + 2 * HOUR);
    const { created } = await s.createOffers(
      TEST,
      [offer({ offerType: 'a', expiresAt: at(30) })],
      LIMITS,
      later,
    );
    t.is(created.length, 1);
  });

  withStore(
    'an offer id already used in the partition is refused for any user, in any later call',
    async (t, s) => {
      for (const u of ['u1', 'u2']) await s.upsertUser(TEST, { externalId: u }, NOW, id);
      const first = offer({ offerType: 'a' });
      await s.createOffers(TEST, [first], LIMITS, NOW);
      const { created, rejected } = await s.createOffers(
        TEST,
        [{ ...first, externalId: 'u2' }, offer({ externalId: 'u2', offerType: 'b' })],
        LIMITS,
        NOW,
      );
      t.deepEqual(
        rejected.map((r) => [r.offer.externalId, r.reason]),
        [['u2', 'duplicate_id']],
      );
      t.deepEqual(
        created.map((o) => [o.externalId, o.offerType]),
        [['u2', 'b']],
      );
      t.deepEqual(
        (await s.userOffers(TEST, 'u1')).map((o) => o.id),
        [first.id],
      );
    },
  );

  withStore('overlapping createOffers calls never exceed the limits', async (t, s) => {
    for (const u of ['u1', 'u2', 'u3']) await s.upsertUser(TEST, { externalId: u }, NOW, id);
    const batch = () =>
      ['u1', 'u2', 'u3'].flatMap((u) =>
        ['a', 'b', 'c', 'd'].map((type) => offer({ externalId: u, offerType: type })),
      );
    await Promise.all([1, 2, 3, 4].map(() => s.createOffers(TEST, batch(), LIMITS, NOW)));
    for (const u of ['u1', 'u2', 'u3']) {
      const offers = await s.userOffers(TEST, u);
      t.is(offers.length, 3, u);
      t.is(new Set(offers.map((o) => o.offerType)).size, 3, u);
    }
  });

  withStore('claim: once, with its event; then not active; expired; not another user’s', async (t, s) => {
    await s.upsertUser(TEST, { externalId: 'u1' }, NOW, id);
    await s.upsertUser(TEST, { externalId: 'u2' }, NOW, id);
    const { created } = await s.createOffers(
      TEST,
      [offer({ pointsValue: 75 }), offer({ offerType: 'short', expiresAt: at(1) })],
      LIMITS,
      NOW,
    );
    const [main, short] = created;
    const claimEvent = (o: { pointsValue: number; id: string }) =>
      event({
        category: 'OFFER',
        eventType: 'offer_claimed',
        points: o.pointsValue,
        metadata: { offerId: o.id },
      });
    t.deepEqual(await s.claimOffer(TEST, 'u2', main?.id ?? '', NOW, claimEvent), {
      ok: false,
      reason: 'not_found',
    });
    t.deepEqual(await s.claimOffer(TEST, 'u1', 'nope', NOW, claimEvent), { ok: false, reason: 'not_found' });
    const claimed = await s.claimOffer(TEST, 'u1', main?.id ?? '', NOW, claimEvent);
    if (!claimed.ok) return t.fail('claim failed');
    t.is(claimed.offer.status, 'claimed');
    t.is(claimed.offer.claimedAt, NOW.toISOString());
    t.is(claimed.event.points, 75);
    t.deepEqual(
      (await s.userEvents(TEST, 'u1')).map((e) => [e.eventType, e.points]),
      [['offer_claimed', 75]],
    );
    t.deepEqual(await s.claimOffer(TEST, 'u1', main?.id ?? '', NOW, claimEvent), {
      ok: false,
      reason: 'not_active',
    });
    const later = new Date(NOW.getTime() + 2 * HOUR);
    t.deepEqual(await s.claimOffer(TEST, 'u1', short?.id ?? '', later, claimEvent), {
      ok: false,
      reason: 'expired',
    });
    await s.expireDue(TEST, later);
    t.deepEqual(await s.claimOffer(TEST, 'u1', short?.id ?? '', NOW, claimEvent), {
      ok: false,
      reason: 'expired',
    });
    t.is((await s.userEvents(TEST, 'u1')).length, 1);
  });

  withStore('of concurrent claims of one offer exactly one succeeds', async (t, s) => {
    await s.upsertUser(TEST, { externalId: 'u1' }, NOW, id);
    const { created } = await s.createOffers(TEST, [offer()], LIMITS, NOW);
    const offerId = created[0]?.id ?? '';
    const results = await Promise.all(
      Array.from({ length: 20 }, () => s.claimOffer(TEST, 'u1', offerId, NOW, () => event({ points: 100 }))),
    );
    t.is(results.filter((r) => r.ok).length, 1);
    t.true(results.every((r) => r.ok || r.reason === 'not_active'));
    t.is((await s.userEvents(TEST, 'u1')).length, 1);
  });

  withStore('expireDue marks exactly the due active offers, once', async (t, s) => {
    await s.upsertUser(TEST, { externalId: 'u1' }, NOW, id);
    await s.upsertUser(LIVE, { externalId: 'u1' }, NOW, id);
    await s.createOffers(
      TEST,
      [offer({ offerType: 'a', expiresAt: at(1) }), offer({ offerType: 'b', expiresAt: at(5) })],
      LIMITS,
      NOW,
    );
    await s.createOffers(LIVE, [offer({ offerType: 'a', expiresAt: at(1) })], LIMITS, NOW);
    const later = new Date(NOW.getTime() + 2 * HOUR);
    t.deepEqual(await s.expireDue(TEST, later), { a: 1 });
    t.deepEqual((await s.userOffers(TEST, 'u1')).map((o) => [o.offerType, o.status]).sort(), [
      ['a', 'expired'],
      ['b', 'active'],
    ]);
    t.deepEqual(await s.expireDue(TEST, later), {});
    t.deepEqual(
      (await s.userOffers(LIVE, 'u1')).map((o) => o.status),
      ['active'],
    );
  });

  withStore(
    'scanUsers yields every user of the partition with their event totals and offers, in batches',
    async (t, s) => {
      for (let i = 0; i < 7; i++) await s.upsertUser(TEST, { externalId: `u${i}` }, NOW, id);
      await s.upsertUser(LIVE, { externalId: 'live-only' }, NOW, id);
      const u3 = [
        event({ externalId: 'u3', occurredAt: at(-24 * 8) }),
        event({ externalId: 'u3', category: 'CAMPAIGN', metadata: { campaignId: 'spring' } }),
        event({ externalId: 'u3', metadata: { won: true } }),
      ];
      await s.appendEvents(TEST, u3, NOW, id);
      await s.appendEvents(LIVE, [event({ externalId: 'u3' })], NOW, id);
      await s.createOffers(TEST, [offer({ externalId: 'u5' })], LIMITS, NOW);
      const sizes: number[] = [];
      const seen = new Map<string, { totals: EventTotals; offers: number }>();
      for await (const batch of s.scanUsers(TEST, 3, NOW)) {
        sizes.push(batch.length);
        for (const a of batch) seen.set(a.user.externalId, { totals: a.totals, offers: a.offers.length });
      }
      t.deepEqual(sizes, [3, 3, 1]);
      t.deepEqual([...seen.keys()].sort(), ['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6']);
      t.deepEqual(seen.get('u3'), { totals: eventTotals(u3, NOW), offers: 0 });
      t.is(seen.get('u3')?.totals.plays7d, 1, 'the 8-day-old play is out of the last 7 days');
      t.deepEqual(seen.get('u5'), { totals: eventTotals([], NOW), offers: 1 });
    },
  );

  if (options.persistent) {
    test(`journeys store (${name}): everything is still there after a reopen`, async (t) => {
      const first = await open();
      const s = first.store;
      await s.upsertUser(TEST, { externalId: 'u1', displayName: 'Ada', tags: { vip: true } }, NOW, id);
      await s.appendEvents(TEST, [event({ clientEventId: 'keep' })], NOW, id);
      const { created } = await s.createOffers(TEST, [offer(), offer({ offerType: 'b' })], LIMITS, NOW);
      await s.claimOffer(TEST, 'u1', created[0]?.id ?? '', NOW, () => event({ eventType: 'offer_claimed' }));
      await first.close();
      if (!first.reopen) return t.fail('a persistent adapter needs reopen()');
      const again = await first.reopen();
      t.teardown(() => again.close());
      const r = again.store;
      t.is((await r.getUser(TEST, 'u1'))?.displayName, 'Ada');
      t.deepEqual((await r.getUser(TEST, 'u1'))?.tags, { vip: true });
      t.is((await r.userEvents(TEST, 'u1')).length, 2);
      t.true((await r.appendEvents(TEST, [event({ clientEventId: 'keep' })], NOW, id))[0]?.duplicate);
      t.false(
        (await r.appendEvents(TEST, [event({ externalId: 'u2', clientEventId: 'keep' })], NOW, id))[0]
          ?.duplicate,
        "after a reopen too, u1's client event id is u1's alone",
      );
      t.deepEqual(
        (await r.userOffers(TEST, 'u1')).map((o) => o.status),
        ['claimed', 'active'],
      );
      t.deepEqual((await r.claimOffer(TEST, 'u1', created[0]?.id ?? '', NOW, () => event())).ok, false);
    });

    // The document store shares one frozen {} among the empty tags and metadata it loads.
    test(`journeys store (${name}): after a reopen, patching one user's empty tags and metadata changes that user alone`, async (t) => {
      const first = await open();
      for (const u of ['u1', 'u2']) await first.store.upsertUser(TEST, { externalId: u }, NOW, id);
      await first.store.appendEvents(TEST, [event({ externalId: 'u3' })], NOW, id);
      await first.store.createOffers(TEST, [offer(), offer({ externalId: 'u2', metadata: {} })], LIMITS, NOW);
      await first.close();
      if (!first.reopen) return t.fail('a persistent adapter needs reopen()');
      const again = await first.reopen();
      t.teardown(() => again.close());
      const r = again.store;
      for (const u of ['u1', 'u3']) {
        await r.upsertUser(TEST, { externalId: u, tags: { team: u }, metadata: { seen: u } }, NOW, id);
      }
      t.deepEqual((await r.getUser(TEST, 'u1'))?.tags, { team: 'u1' });
      t.deepEqual((await r.getUser(TEST, 'u3'))?.metadata, { seen: 'u3' });
      t.deepEqual((await r.getUser(TEST, 'u2'))?.tags, {});
      t.deepEqual((await r.getUser(TEST, 'u2'))?.metadata, {});
      t.deepEqual(
        (await r.userOffers(TEST, 'u2')).map((o) => o.metadata),
        [{}],
      );
    });
  }
}
