import test from 'ava';
import { applyOperations, MAX_LIST_ITEMS } from '../../../src/banner/domain/profile-ops.js';

const union = (values: Record<string, unknown>) => ({ op: '$union' as const, values });

test('$union adds the items not yet listed, by value, in order, once each', (t) => {
  const current = { items: ['sword', { id: 1 }, 3] };
  const next = applyOperations(current, [union({ items: [{ id: 1 }, 'shield', 3, 'shield', { id: 2 }] })]);
  t.deepEqual(next, { items: ['sword', { id: 1 }, 3, 'shield', { id: 2 }] });
  t.deepEqual(applyOperations(null, [union({ items: ['a', 'a'] })]), { items: ['a'] }, 'a new list');
  t.deepEqual(applyOperations({ items: 'x' }, [union({ items: ['a'] })]), { items: 'x' }, 'not a list: kept');
});

test('$remove takes every item equal by value', (t) => {
  const current = { items: [{ id: 1 }, 'a', { id: 1 }, { id: 2 }] };
  t.deepEqual(applyOperations(current, [{ op: '$remove', values: { items: { id: 1 } } }]), {
    items: ['a', { id: 2 }],
  });
});

test('$union of long lists costs linear time: 15 unions of 2,000 new items onto 1,000 listed', (t) => {
  // Comparing each new item with each listed one took ~0.8 s per union: one /engage of
  // 15 such updates (134 KB) held the event loop 12 s. Linear, it is a few milliseconds.
  const listed = Array.from({ length: MAX_LIST_ITEMS }, (_, i) => ({ item: i }));
  let props: Record<string, unknown> | null = { l: listed };
  const started = performance.now();
  for (let u = 0; u < 15; u++) {
    const items = Array.from({ length: 2000 }, (_, i) => ({ item: MAX_LIST_ITEMS + u * 2000 + i }));
    props = applyOperations(props, [union({ l: items })]);
  }
  const ms = performance.now() - started;
  const list = (props as { l: { item: number }[] }).l;
  t.is(list.length, MAX_LIST_ITEMS, 'the newest items are kept');
  t.deepEqual(list.at(-1), { item: MAX_LIST_ITEMS + 15 * 2000 - 1 });
  t.true(ms < 2000, `15 unions took ${Math.round(ms)} ms`);
});

test('lists named like Object.prototype members ($append, $union, $remove) are the profile’s own: created, grown, trimmed', (t) => {
  const names = ['toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', '__defineGetter__', 'constructor'];
  let props = applyOperations(
    null,
    names.map((n) => ({ op: '$append' as const, values: { [n]: 'x' } })),
  );
  t.deepEqual(props, Object.fromEntries(names.map((n) => [n, ['x']])));
  props = applyOperations(props, [union(Object.fromEntries(names.map((n) => [n, ['x', 'y']])))]);
  t.deepEqual(props, Object.fromEntries(names.map((n) => [n, ['x', 'y']])));
  props = applyOperations(props, [{ op: '$remove', values: { toString: 'x' } }]);
  t.deepEqual(props?.toString, ['y']);
  t.deepEqual(applyOperations({}, [{ op: '$add', values: { valueOf: 2 } }]), { valueOf: 2 });
});
