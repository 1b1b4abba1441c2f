import type { TestFn } from 'ava';
import {
  type Assignment,
  type BannerStore,
  RECENT_EVENTS_PER_USER,
  type TrackedEvent,
} from '../../../src/banner/store/banner-store.js';
import { storePerTest } from '../../helpers/store-per-test.js';

export interface OpenedBannerStore {
  store: BannerStore;
  close(): Promise<void>;
}

const T0 = new Date('2026-11-20T12:00:00.000Z');
const at = (minutes: number): Date => new Date(T0.getTime() + minutes * 60_000);

/** A unique user id per test, so adapters that share one database across tests stay independent. */
let counter = 0;
const uid = (name: string): string => `${name}-${process.pid}-${++counter}`;

function proposal(userId: string, variationId: number, extra: Partial<Assignment> = {}): Assignment {
  return {
    experimentId: 'exp',
    bucketVersion: 1,
    userId,
    variationId,
    assignedAt: at(0).toISOString(),
    ...extra,
  };
}

function event(
  userId: string,
  name: string,
  minutes: number,
  extra: Partial<TrackedEvent> = {},
): TrackedEvent {
  return {
    userId,
    name,
    time: null,
    receivedAt: at(minutes).toISOString(),
    renderId: null,
    experimentId: null,
    variationId: null,
    value: null,
    ...extra,
  };
}

/**
 * What every BannerStore adapter must do, identically: memory, lowdb and PostgreSQL
 * run this same suite.
 */
export function bannerStoreContract(
  test: TestFn,
  name: string,
  open: () => Promise<OpenedBannerStore>,
): void {
  const withStore = storePerTest(open);

  test(`${name}: an unknown user has no activity, assignments, events or tallies`, async (t) => {
    const store = await withStore(t);
    const user = uid('nobody');
    t.is(await store.user('app', user), null);
    t.deepEqual(await store.assignments('app', user), []);
    t.deepEqual(await store.recentEvents('app', user), []);
    t.deepEqual(await store.tallies('app', `never-${user}`, 1), []);
  });

  test(`${name}: renders record first and last seen; first only moves back, last only forward`, async (t) => {
    const store = await withStore(t);
    const user = uid('visitor');
    await store.recordRender('app', user, at(10), null);
    await store.recordRender('app', user, at(20), null);
    await store.recordRender('app', user, at(5), null);
    const activity = await store.user('app', user);
    t.like(activity, {
      userId: user,
      firstSeenAt: at(5).toISOString(),
      lastSeenAt: at(20).toISOString(),
      renders: 3,
      events: 0,
      purchases: 0,
      lastEventAt: null,
    });
    t.is(await store.user('other-app', user), null, 'apps are separate');
  });

  test(`${name}: assign is insert-if-absent and the stored assignment wins`, async (t) => {
    const store = await withStore(t);
    const user = uid('assigned');
    const first = await store.assign('app', proposal(user, 2));
    t.true(first.created);
    t.like(first.assignment, { variationId: 2, experimentId: 'exp', bucketVersion: 1, userId: user });
    const second = await store.assign('app', proposal(user, 0, { assignedAt: at(9).toISOString() }));
    t.false(second.created);
    t.deepEqual(second.assignment, first.assignment);
    const rerandomized = await store.assign('app', proposal(user, 1, { bucketVersion: 2 }));
    t.true(rerandomized.created, 'a new bucket version is a new assignment');
    const other = await store.assign('other-app', proposal(user, 0));
    t.true(other.created, 'apps are separate');
    const mine = await store.assignments('app', user);
    t.deepEqual(mine.map((a) => [a.bucketVersion, a.variationId]).sort(), [
      [1, 2],
      [2, 1],
    ]);
  });

  test(`${name}: concurrent first assignments of one user store exactly one variation`, async (t) => {
    const store = await withStore(t);
    const user = uid('racer');
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.assign('app', proposal(user, i % 3))),
    );
    t.is(results.filter((r) => r.created).length, 1);
    t.is(new Set(results.map((r) => r.assignment.variationId)).size, 1);
    t.is((await store.assignments('app', user)).length, 1);
  });

  test(`${name}: concurrent first assignments in rival experiments of one slot enrol the user in one`, async (t) => {
    const store = await withStore(t);
    const experiments = ['lapsed', 'payer', 'newcomer'];
    const key = (e: string) => ({ experimentId: e, bucketVersion: 1 });
    // Each request saw different facts, so each proposes a different experiment of the
    // slot. Several users in turn: the later rounds race on warm database connections.
    for (let round = 0; round < 8; round++) {
      const user = uid('slot-racer');
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => {
          const mine = experiments[i % 3] as string;
          const rivals = experiments.filter((e) => e !== mine).map(key);
          return store.assign('app', proposal(user, i % 2, { experimentId: mine }), rivals);
        }),
      );
      t.is(results.filter((r) => r.created).length, 1);
      const stored = await store.assignments('app', user);
      t.is(stored.length, 1, 'one experiment of the slot');
      for (const r of results) t.deepEqual(r.assignment, stored[0]);
    }
  });

  test(`${name}: a rival claim covers only the named experiments and bucket versions`, async (t) => {
    const store = await withStore(t);
    const user = uid('slot-holder');
    await store.assign('app', proposal(user, 1, { experimentId: 'lapsed' }));
    const blocked = await store.assign('app', proposal(user, 0, { experimentId: 'payer' }), [
      { experimentId: 'lapsed', bucketVersion: 1 },
    ]);
    t.false(blocked.created);
    t.like(blocked.assignment, { experimentId: 'lapsed', variationId: 1 });
    const outside = await store.assign('app', proposal(user, 1, { experimentId: 'elsewhere' }));
    t.true(outside.created, 'an experiment outside the slot names no rivals');
    const restarted = await store.assign('app', proposal(user, 0, { experimentId: 'later' }), [
      { experimentId: 'lapsed', bucketVersion: 2 },
    ]);
    t.true(restarted.created, 'a rival at another bucket version does not block');
    t.is((await store.assignments('app', user)).length, 3);
  });

  test(`${name}: tracked events count per user, purchases separately, and keep their link`, async (t) => {
    const store = await withStore(t);
    const user = uid('tracker');
    await store.track('app', [
      event(user, 'AppStart', 1),
      event(user, 'SpecialOfferPopupPurchased', 3, {
        renderId: 'r-1',
        experimentId: 'exp',
        variationId: 1,
        time: 1732350000000,
      }),
      event(user, 'SpecialOfferInStorePurchased', 2),
      event(user, 'AppStart', 4),
    ]);
    const activity = await store.user('app', user);
    t.like(activity, {
      firstSeenAt: at(1).toISOString(),
      lastSeenAt: null,
      renders: 0,
      events: 4,
      purchases: 2,
      lastEventAt: at(4).toISOString(),
      lastPurchaseAt: at(3).toISOString(),
    });
    const stats = [...(activity?.eventStats ?? [])].sort((a, b) => a.name.localeCompare(b.name));
    t.deepEqual(stats, [
      { name: 'AppStart', count: 2, lastAt: at(4).toISOString() },
      { name: 'SpecialOfferInStorePurchased', count: 1, lastAt: at(2).toISOString() },
      // Per name, the event's own time when it sent one (whole seconds: the end of that second).
      { name: 'SpecialOfferPopupPurchased', count: 1, lastAt: '2024-11-23T08:20:00.999Z' },
    ]);
    const recent = await store.recentEvents('app', user);
    t.deepEqual(recent[1], {
      userId: user,
      name: 'SpecialOfferPopupPurchased',
      time: 1732350000000,
      receivedAt: at(3).toISOString(),
      renderId: 'r-1',
      experimentId: 'exp',
      variationId: 1,
      value: null,
    });
  });

  test(`${name}: only the most recent events are kept as they were, oldest first`, async (t) => {
    const store = await withStore(t);
    const user = uid('chatty');
    const total = RECENT_EVENTS_PER_USER + 5;
    const events = Array.from({ length: total }, (_, i) => event(user, `E${i}`, i));
    await store.track('app', events.slice(0, 10));
    await store.track('app', events.slice(10));
    const recent = await store.recentEvents('app', user);
    t.is(recent.length, RECENT_EVENTS_PER_USER);
    t.deepEqual(
      recent.map((e) => e.name),
      events.slice(5).map((e) => e.name),
    );
    t.is((await store.user('app', user))?.events, total, 'the counters keep every event');
  });

  test(`${name}: concurrent renders and batches lose no update`, async (t) => {
    const store = await withStore(t);
    const user = uid('busy');
    const exposure = { experimentId: `busy-${user}`, bucketVersion: 1, variationId: 1 };
    await store.assign('app', proposal(user, 1, { experimentId: exposure.experimentId }));
    await Promise.all([
      ...Array.from({ length: 30 }, (_, i) => store.recordRender('app', user, at(i), exposure)),
      ...Array.from({ length: 10 }, (_, i) =>
        store.track('app', [event(user, 'AppStart', i), event(user, 'SpecialOfferPopupPurchased', i)]),
      ),
    ]);
    t.like(await store.user('app', user), { renders: 30, events: 20, purchases: 10 });
    const [tally] = await store.tallies('app', exposure.experimentId, 1);
    t.like(tally, { variationId: 1, users: 1, exposures: 30 });
  });

  test(`${name}: versionEnd is the first recorded end of the version or of a later one, null while it runs`, async (t) => {
    const store = await withStore(t);
    const experimentId = `ends-${uid('exp')}`;
    t.is(await store.versionEnd('app', experimentId, 1), null);
    await store.endVersions('app', [{ experimentId, bucketVersion: 2 }], at(5));
    await store.endVersions('app', [{ experimentId, bucketVersion: 1 }], at(9));
    t.is(await store.versionEnd('app', experimentId, 1), at(5).toISOString(), 'ending 2 ended 1 too');
    t.is(await store.versionEnd('app', experimentId, 2), at(5).toISOString());
    t.is(await store.versionEnd('app', experimentId, 3), null);
    t.is(await store.versionEnd('other-app', experimentId, 1), null);
  });

  test(`${name}: a user assigned after the bucket version ended is counted apart, in no figure`, async (t) => {
    const store = await withStore(t);
    const experimentId = `late-${uid('exp')}`;
    const [early, late] = [uid('early'), uid('late')] as [string, string];
    await store.assign('app', proposal(early, 1, { experimentId, assignedAt: at(0).toISOString() }));
    await store.endVersions('app', [{ experimentId, bucketVersion: 1 }], at(5));
    await store.assign('app', proposal(late, 0, { experimentId, assignedAt: at(10).toISOString() }));
    const tallies = await store.tallies('app', experimentId, 1);
    // [variation, users, assigned after the end]: the late one is control's, in no figure.
    t.deepEqual(
      tallies.map((x) => [x.variationId, x.users, x.enrolledAfterEnd ?? 0]),
      [
        [0, 0, 1],
        [1, 1, 0],
      ],
    );
    t.is(tallies[0]?.firstAssignedAt, null);
    const daily = await store.enrollmentsByDay('app', experimentId, 1);
    t.deepEqual(
      daily.map((d) => [d.variationId, d.users]),
      [[1, 1]],
    );
  });

  test(`${name}: tallies count assigned users, exposures and distinct converters after assignment`, async (t) => {
    const store = await withStore(t);
    const experimentId = `tally-${uid('exp')}`;
    const users = ['a', 'b', 'c', 'd'].map(uid);
    const [a, b, c, d] = users as [string, string, string, string];
    // a, b in control; c, d in variation 1; all assigned at minute 10. Each under the split
    // it names (b under none: an assignment stored before splits were recorded).
    for (const [user, variationId, weights] of [
      [a, 0, '0:50,1:50'],
      [b, 0, undefined],
      [c, 1, '0:20,1:80'],
      [d, 1, '0:20,1:80'],
    ] as const) {
      await store.assign(
        'app',
        proposal(user, variationId, {
          experimentId,
          assignedAt: at(10).toISOString(),
          ...(weights ? { weights } : {}),
        }),
      );
    }
    await store.recordRender('app', c, at(11), { experimentId, bucketVersion: 1, variationId: 1 });
    await store.recordRender('app', c, at(12), { experimentId, bucketVersion: 1, variationId: 1 });
    await store.recordRender('app', a, at(12), { experimentId, bucketVersion: 1, variationId: 0 });
    await store.track('app', [
      event(a, 'SpecialOfferPopupPurchased', 5), // before a's assignment: no conversion
      event(c, 'SpecialOfferPopupPurchased', 15),
      event(c, 'SpecialOfferPopupPurchased', 16), // c again: still one converted user
      event(d, 'SpecialOfferPopupPurchased', 20),
      event(b, 'AppStart', 20),
    ]);
    await store.assign('app', proposal(a, 1, { experimentId, bucketVersion: 2 }));
    const tallies = await store.tallies('app', experimentId, 1);
    const sorted = tallies.map((v) => ({
      ...v,
      conversions: [...v.conversions].sort((x, y) => x.event.localeCompare(y.event)),
    }));
    t.deepEqual(sorted, [
      {
        variationId: 0,
        users: 2,
        firstAssignedAt: at(10).toISOString(),
        exposures: 1,
        conversions: [{ event: 'AppStart', users: 1 }],
        usersBySplit: [
          { weights: null, users: 1 },
          { weights: '0:50,1:50', users: 1 },
        ],
      },
      {
        variationId: 1,
        users: 2,
        firstAssignedAt: at(10).toISOString(),
        exposures: 2,
        conversions: [{ event: 'SpecialOfferPopupPurchased', users: 2 }],
        usersBySplit: [{ weights: '0:20,1:80', users: 2 }],
      },
    ]);
    const v2 = await store.tallies('app', experimentId, 2);
    t.deepEqual(
      v2.map((v) => [v.variationId, v.users]),
      [[1, 1]],
      'bucket versions are tallied apart',
    );
    t.deepEqual(await store.tallies('other-app', experimentId, 1), []);
  });

  test(`${name}: what a read returns is a copy`, async (t) => {
    const store = await withStore(t);
    const user = uid('copy');
    await store.track('app', [event(user, 'AppStart', 1)]);
    await store.assign('app', proposal(user, 1));
    const activity = await store.user('app', user);
    if (activity) {
      activity.events = 99;
      activity.eventStats.push({ name: 'x', count: 1, lastAt: at(0).toISOString() });
    }
    const [assignment] = await store.assignments('app', user);
    if (assignment) assignment.variationId = 7;
    t.like(await store.user('app', user), { events: 1 });
    t.is((await store.user('app', user))?.eventStats.length, 1);
    t.is((await store.assignments('app', user))[0]?.variationId, 1);
  });
}

/** Everything written before a close is there after reopening the same data. */
export function bannerStoreSurvivesReopen(
  test: TestFn,
  name: string,
  openSame: () => Promise<() => Promise<OpenedBannerStore>>,
): void {
  test(`${name}: assignments, activity, events and counters survive a reopen`, async (t) => {
    const open = await openSame();
    const first = await open();
    const user = uid('durable');
    await first.store.assign('app', proposal(user, 2, { experimentId: 'durable', weights: '0:1,2:3' }));
    await first.store.recordRender('app', user, at(1), {
      experimentId: 'durable',
      bucketVersion: 1,
      variationId: 2,
    });
    await first.store.track('app', [
      event(user, 'SpecialOfferPopupPurchased', 2, { renderId: 'r-9', value: 7.5 }),
    ]);
    await first.close();

    const second = await open();
    t.teardown(() => second.close());
    const again = await second.store.assign('app', proposal(user, 0, { experimentId: 'durable' }));
    t.false(again.created);
    t.is(again.assignment.variationId, 2);
    t.like(await second.store.user('app', user), { renders: 1, events: 1, purchases: 1 });
    t.like((await second.store.recentEvents('app', user))[0], { renderId: 'r-9', value: 7.5 });
    const [revenue] = await second.store.tallies('app', 'durable', 1, 'SpecialOfferPopupPurchased');
    t.deepEqual(revenue?.revenue, { sum: 7.5, sumSquares: 56.25 });
    t.deepEqual(await second.store.tallies('app', 'durable', 1), [
      {
        variationId: 2,
        users: 1,
        firstAssignedAt: at(0).toISOString(),
        exposures: 1,
        conversions: [{ event: 'SpecialOfferPopupPurchased', users: 1 }],
        usersBySplit: [{ weights: '0:1,2:3', users: 1 }],
      },
    ]);
  });

  test(`${name}: a version's end survives a reopen`, async (t) => {
    const open = await openSame();
    const first = await open();
    const user = uid('ended');
    const experimentId = uid('ended-exp');
    await first.store.assign('app', proposal(user, 1, { experimentId }));
    await first.store.endVersions('app', [{ experimentId, bucketVersion: 1 }], at(5));
    await first.close();

    const second = await open();
    t.teardown(() => second.close());
    await second.store.track('app', [event(user, 'SpecialOfferPopupPurchased', 6)]);
    const [tally] = await second.store.tallies('app', experimentId, 1);
    t.deepEqual(tally?.conversions, []);
  });
}
