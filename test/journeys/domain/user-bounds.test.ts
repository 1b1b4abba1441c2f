import test from 'ava';
import { checkUserBounds, UserBoundsError } from '../../../src/journeys/domain/user-bounds.js';

const keys = (n: number, value: unknown = 1) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, value]));

test('a user stored past a bound before there was one may shrink or change without growing, not grow', (t) => {
  const current = { tags: keys(60), metadata: { blob: 'x'.repeat(20_000) } };
  // Same count, other values; fewer keys; smaller metadata: all accepted.
  t.notThrows(() =>
    checkUserBounds(current, { tags: { k0: 2 } }, { ...current, tags: { ...keys(60), k0: 2 } }),
  );
  t.notThrows(() => checkUserBounds(current, { tags: { k0: null } }, { ...current, tags: keys(59) }));
  t.notThrows(() =>
    checkUserBounds(
      current,
      { metadata: { blob: 'y' } },
      { ...current, metadata: { blob: 'y'.repeat(9000) } },
    ),
  );
  // One more key, or more bytes, is refused, naming each field.
  const err = t.throws(
    () =>
      checkUserBounds(
        current,
        { tags: { k60: 1 }, metadata: { more: 1 } },
        { tags: keys(61), metadata: { ...current.metadata, more: 1 } },
      ),
    { instanceOf: UserBoundsError },
  );
  t.deepEqual(
    err?.problems.map((p) => p.field),
    ['tags', 'metadata'],
  );
});
