import type { TestFn } from 'ava';
import { EVENT_NAMES_PER_USER, type TrackedEvent } from '../../../src/banner/store/banner-store.js';
import { storePerTest } from '../../helpers/store-per-test.js';
import type { OpenedBannerStore } from './banner-store-contract.js';

const T0 = Date.parse('2026-11-20T12:00:00.000Z');
const at = (minutes: number): string => new Date(T0 + minutes * 60_000).toISOString();
let counter = 0;
const uid = (name: string): string => `${name}-${process.pid}-${++counter}`;

const event = (userId: string, name: string, minutes: number): TrackedEvent => ({
  userId,
  name,
  time: null,
  receivedAt: at(minutes),
  renderId: null,
  experimentId: null,
  variationId: null,
  value: null,
});

/** EVENT_NAMES_PER_USER on every adapter: what a client sending names without end gets. */
export function eventNameCapContract(
  test: TestFn,
  name: string,
  open: () => Promise<OpenedBannerStore>,
): void {
  const withStore = storePerTest(open);

  test(`${name}: a user keeps counters for ${EVENT_NAMES_PER_USER} event names; the names kept still count exactly`, async (t) => {
    const store = await withStore(t);
    const user = uid('names');
    await store.track('app', [event(user, 'AppStart', 0), event(user, 'SpecialOfferPopupPurchased', 0)]);
    // Up to 2 below the cap, in batches of 200 (the SDKs send 50; the store takes any size).
    const filler = Array.from({ length: EVENT_NAMES_PER_USER - 4 }, (_, i) => `Junk${i}`);
    for (let i = 0; i < filler.length; i += 200) {
      await store.track(
        'app',
        filler.slice(i, i + 200).map((n) => event(user, n, 1)),
      );
    }
    // One batch crosses the cap: its first two new names are kept, the later ones are not;
    // known names and totals count on.
    await store.track('app', [
      event(user, 'Over0', 2),
      event(user, 'AppStart', 2),
      event(user, 'Over1', 2),
      event(user, 'Over2', 2),
      event(user, 'SpecialOfferPopupPurchased', 3),
      event(user, 'Over3Purchased', 4),
      event(user, 'AppStart', 5),
    ]);
    // Later batches: a new name is still not kept; a kept one still counts.
    await store.track('app', [event(user, 'Over4', 6), event(user, 'Over0', 6)]);
    const activity = await store.user('app', user);
    const counts = new Map(activity?.eventStats.map((s) => [s.name, s]) ?? []);
    t.is(activity?.eventStats.length, EVENT_NAMES_PER_USER, 'one counter per name kept');
    t.like(counts.get('AppStart'), { count: 3, lastAt: at(5) });
    t.like(counts.get('SpecialOfferPopupPurchased'), { count: 2, lastAt: at(3) });
    t.like(counts.get('Over0'), { count: 2, lastAt: at(6) });
    t.like(counts.get('Over1'), { count: 1 });
    t.like(counts.get('Junk0'), { count: 1 });
    t.false(counts.has('Over2') || counts.has('Over3Purchased') || counts.has('Over4'), 'names past the cap');
    // Every event counted in the totals, the purchase past the cap too.
    t.like(activity, {
      events: 2 + filler.length + 7 + 2,
      purchases: 3,
      lastEventAt: at(6),
      lastPurchaseAt: at(4),
    });
    const recent = await store.recentEvents('app', user);
    t.deepEqual(
      recent.slice(-3).map((e) => e.name),
      ['AppStart', 'Over4', 'Over0'],
      'events of names past the cap are stored as they came',
    );
    const other = uid('fresh');
    await store.track('app', [event(other, 'Over4', 7)]);
    t.deepEqual(
      (await store.user('app', other))?.eventStats.map((s) => s.name),
      ['Over4'],
      'the cap is per user',
    );
  });
}
