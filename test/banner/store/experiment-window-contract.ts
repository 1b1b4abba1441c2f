import type { ExecutionContext, TestFn } from 'ava';
import type { BannerStore, TrackedEvent } from '../../../src/banner/store/banner-store.js';

const T0 = Date.parse('2026-12-04T09:00:00.000Z');
const at = (minutes: number): string => new Date(T0 + minutes * 60_000).toISOString();
const PURCHASE = 'Purchase';

let counter = 0;
const uid = (name: string): string => `${name}-${process.pid}-${++counter}`;

/** A purchase received at `receivedMin` that says it happened at `timeMin` (null: sent no time). */
function purchase(userId: string, value: number | null, receivedMin: number, timeMin: number | null = null) {
  return {
    userId,
    name: PURCHASE,
    time: timeMin === null ? null : T0 + timeMin * 60_000,
    receivedAt: at(receivedMin),
    renderId: null,
    experimentId: null,
    variationId: null,
    value,
  } satisfies TrackedEvent;
}

interface Opened {
  store: BannerStore;
  close(): Promise<void>;
}

/**
 * What an assignment's results take, identically in every adapter: the events that
 * happened within its window, from the assignment to the user's assignment in a later
 * bucket version of the experiment, or to the version's end (endVersions), whichever comes
 * first. Conversions and revenue alike, so the results of a superseded or stopped version
 * stay as they were at its end.
 */
export function experimentWindowContract(test: TestFn, name: string, open: () => Promise<Opened>): void {
  const withStore = async (t: ExecutionContext): Promise<BannerStore> => {
    const opened = await open();
    t.teardown(() => opened.close());
    return opened.store;
  };
  const enrol = (
    store: BannerStore,
    experimentId: string,
    bucketVersion: number,
    userId: string,
    minute: number,
  ) => store.assign('app', { experimentId, bucketVersion, userId, variationId: 1, assignedAt: at(minute) });
  const figures = async (store: BannerStore, experimentId: string, bucketVersion: number) => {
    const [tally] = await store.tallies('app', experimentId, bucketVersion, PURCHASE);
    return {
      users: tally?.users ?? 0,
      buyers: tally?.conversions.find((c) => c.event === PURCHASE)?.users ?? 0,
      revenue: tally?.revenue?.sum ?? 0,
    };
  };

  // Probe: probe-ab ran as bucket version 1, then 2; 300 users of version 1 were served again
  // (assigned in version 2) and bought: version 1 went from 226/293 to 373/410 converters.
  test(`${name}: an assignment in a later bucket version ends the user's window in the earlier one`, async (t) => {
    const store = await withStore(t);
    const exp = uid('bumped');
    const [early, returning, late] = ['early', 'returning', 'late'].map(uid) as [string, string, string];
    for (const user of [early, returning, late]) await enrol(store, exp, 1, user, 0);
    await store.track('app', [purchase(early, 2, 5)]);
    await enrol(store, exp, 2, returning, 10);
    await enrol(store, exp, 2, early, 10);
    await store.track('app', [
      purchase(returning, 4, 12), // after their version-2 assignment: version 2's only
      purchase(early, 8, 13),
      purchase(late, 1, 14), // never assigned again: still within version 1
    ]);
    // Made before the version-2 assignment, delivered after it: version 1's.
    await store.track('app', [purchase(returning, 16, 20, 9)]);
    t.deepEqual(await figures(store, exp, 1), { users: 3, buyers: 3, revenue: 2 + 1 + 16 });
    t.deepEqual(await figures(store, exp, 2), { users: 2, buyers: 2, revenue: 4 + 8 });
  });

  // Probe: after probe-small was stopped, 10 purchases moved control from 2 to 9 conversions.
  test(`${name}: nothing that happened after a version's end is credited to it`, async (t) => {
    const store = await withStore(t);
    const exp = uid('stopped');
    const [before, after, delayed] = ['before', 'after', 'delayed'].map(uid) as [string, string, string];
    for (const user of [before, after, delayed]) await enrol(store, exp, 1, user, 0);
    await store.track('app', [purchase(before, 3, 5)]);
    await store.endVersions('app', [{ experimentId: exp, bucketVersion: 1 }], new Date(at(10)));
    // The first end stays: a later record (another instance, a reload) does not move it.
    await store.endVersions('app', [{ experimentId: exp, bucketVersion: 1 }], new Date(at(30)));
    const frozen = await figures(store, exp, 1);
    t.deepEqual(frozen, { users: 3, buyers: 1, revenue: 3 });
    await store.track('app', [
      purchase(before, 5, 12),
      purchase(after, 7, 12),
      { ...purchase(after, null, 25), name: 'Open' },
      // Made before the end, delivered after it (an SDK's queue): within the window.
      purchase(delayed, 11, 20, 9),
    ]);
    t.deepEqual(await figures(store, exp, 1), { users: 3, buyers: 2, revenue: 3 + 11 });
    const [tally] = await store.tallies('app', exp, 1);
    t.is(
      tally?.conversions.find((c) => c.event === 'Open'),
      undefined,
    );
  });

  test(`${name}: an end covers the versions up to the one it names, and only that experiment`, async (t) => {
    const store = await withStore(t);
    const exp = uid('ended');
    const other = uid('other');
    const [v1, v2, o] = ['v1', 'v2', 'o'].map(uid) as [string, string, string];
    await enrol(store, exp, 1, v1, 0);
    await enrol(store, exp, 2, v2, 0);
    await enrol(store, other, 1, o, 0);
    await store.endVersions('app', [{ experimentId: exp, bucketVersion: 2 }], new Date(at(10)));
    await store.track('app', [purchase(v1, 1, 12), purchase(v2, 1, 12), purchase(o, 1, 12)]);
    t.deepEqual(await figures(store, exp, 1), { users: 1, buyers: 0, revenue: 0 });
    t.deepEqual(await figures(store, exp, 2), { users: 1, buyers: 0, revenue: 0 });
    t.deepEqual(await figures(store, other, 1), { users: 1, buyers: 1, revenue: 1 });
    t.deepEqual(await store.tallies('other-app', exp, 1), []);
  });
}
