import test from 'ava';
import {
  applyOperations,
  MAX_LIST_ITEMS,
  MAX_PROPERTIES,
  type ProfileOperation,
} from '../../../src/banner/domain/profile-ops.js';

/** The documented bound (docs/personal-offers.md), pinned here so that a change to it is seen. */
const MAX_PROFILE_VALUES = 5000;
const set = (values: Record<string, unknown>): ProfileOperation => ({ op: '$set', values });
const empties = (n: number) => Array.from({ length: n }, () => ({}));

test('a profile holds what the SDKs build: 1,000 charges and 500 short properties', (t) => {
  // kibotu-node people.track_charge: `$append: {$transactions: {$amount, $time}}` (Unity's
  // TrackCharge the same, as `_kb_amount`/`_kb_time`); the list keeps the newest 1,000.
  const charge = (i: number): ProfileOperation => ({
    op: '$append',
    values: { $transactions: { $amount: 4.99 + i, $time: new Date(1.8e12 + i * 60_000).toISOString() } },
  });
  const props = Object.fromEntries(
    Array.from({ length: MAX_PROPERTIES - 1 }, (_, i) => [`p${i}`, i % 2 ? `level ${i}` : i]),
  );
  const charges = Array.from({ length: MAX_LIST_ITEMS + 5 }, (_, i) => charge(i));
  const profile = applyOperations(null, [set(props), ...charges]) ?? {};
  t.is((profile.$transactions as unknown[]).length, MAX_LIST_ITEMS);
  // One more property on each charge (an item id) still fits.
  const tagged = (profile.$transactions as object[]).map((c, i) => ({ ...c, sku: `gems_${i}` }));
  t.notThrows(() => applyOperations(profile, [set({ $transactions: tagged })]));
});

test('the probe’s update (three lists of 1,999 {}) fails, naming the bound and the largest property', (t) => {
  const probe = set({ a: empties(1999), b: empties(1999), c: empties(1999) });
  t.throws(() => applyOperations({ level: 1 }, [probe]), {
    message: `a profile holds at most ${MAX_PROFILE_VALUES} JSON values (every object, array and scalar counts one); this update would make it 6002, 2000 of them in a`,
  });
  // Exactly at the bound: the profile object, its list, and the list's items.
  t.notThrows(() => applyOperations(null, [set({ a: empties(MAX_PROFILE_VALUES - 2) })]));
  t.throws(() => applyOperations(null, [set({ a: empties(MAX_PROFILE_VALUES - 1) })]), {
    message: /this update would make it 5001, 5000 of them in a$/,
  });
});

test('a profile stored past the value bound before there was one may shrink or keep its count, not grow', (t) => {
  const legacy = { list: empties(2 * MAX_PROFILE_VALUES), level: 1 };
  t.deepEqual(applyOperations(legacy, [set({ level: 2 })]), { ...legacy, level: 2 }, 'same count');
  t.deepEqual(applyOperations(legacy, [{ op: '$unset', names: ['list'] }]), { level: 1 });
  t.deepEqual(applyOperations(legacy, [set({ list: empties(10) })]), { list: empties(10), level: 1 });
  t.throws(() => applyOperations(legacy, [set({ note: 'grows' })]), {
    message: /at most 5000 JSON values .*; this update would make it 10004, 10001 of them in list$/,
  });
  t.is(applyOperations(legacy, [{ op: '$delete' }]), null);
});
