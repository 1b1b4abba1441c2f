/**
 * The count of JSON values an event's metadata and a user's metadata may hold: 4 KB of
 * `{}` were 1,360 values, 85 KB of heap once stored (hostile-client probe, heap-amp.mjs).
 */
import test from 'ava';
import type { AppError } from '../../src/http/app-error.js';
import { checkUserBounds, UserBoundsError } from '../../src/journeys/domain/user-bounds.js';
import { JourneysValidation } from '../../src/journeys/journeys-validation.js';

/** The documented bounds (docs/user-journeys.md), pinned here so that a change to them is seen. */
const EVENT_VALUES = 256;
const USER_VALUES = 512;
const empties = (n: number) => Array.from({ length: n }, () => ({}));
const validation = new JourneysValidation(() => new Date('2026-06-01T12:00:00Z'));
const spin = (metadata: unknown) => ({
  externalId: 'p-1',
  eventType: 'spin',
  category: 'GAME_PLAY',
  metadata,
});

test('event metadata past 256 JSON values is refused, naming the field, the bound and the count', (t) => {
  const probe = { a: empties(1360) }; // 4,087 bytes: within the byte bound
  const err = t.throws<AppError>(() => validation.event(spin(probe)));
  t.deepEqual(err?.fields, [
    {
      field: 'metadata',
      message: `holds at most ${EVENT_VALUES} JSON values (every object, array and scalar counts one); this one has 1362`,
    },
  ]);
  const batch = t.throws<AppError>(() => validation.batchOf([spin({ won: true }), spin(probe)]));
  t.deepEqual(
    batch?.fields.map((f) => f.field),
    ['events[1].metadata'],
  );
  // At the bound: the object, its list and the list's items.
  t.notThrows(() => validation.event(spin({ a: empties(EVENT_VALUES - 2) })));
  t.throws(() => validation.event(spin({ a: empties(EVENT_VALUES - 1) })), { message: 'Invalid input' });
});

test('event metadata as clients send it fits: 50 keys of a few values each, the SDK conformance shapes', (t) => {
  const wide = Object.fromEntries(
    Array.from({ length: 50 }, (_, i) => [`k${i}`, { id: i, tags: ['a', 'b'] }]),
  );
  t.notThrows(() => validation.event(spin(wide)), '50 keys × 5 values = 251');
  t.notThrows(() =>
    validation.event(spin({ text: 'x', nested: { quote: '"', backslash: '\\', braces: '{}' }, n: 1 })),
  );
});

test('a user’s metadata past 512 JSON values is refused; one stored past it may shrink or keep its count', (t) => {
  const err = t.throws(
    () =>
      checkUserBounds(null, { metadata: { a: empties(600) } }, { tags: {}, metadata: { a: empties(600) } }),
    { instanceOf: UserBoundsError },
  );
  t.deepEqual(err?.problems, [
    {
      field: 'metadata',
      message: `a user's metadata hold at most ${USER_VALUES} JSON values (every object, array and scalar counts one); this update would make 602 (1 stored)`,
    },
  ]);
  const at = { tags: {}, metadata: { a: empties(USER_VALUES - 2) } };
  t.notThrows(() => checkUserBounds(null, { metadata: at.metadata }, at));
  const legacy = { tags: {}, metadata: { a: empties(1000), level: 1 } };
  t.notThrows(() =>
    checkUserBounds(
      legacy,
      { metadata: { level: 2 } },
      { ...legacy, metadata: { ...legacy.metadata, level: 2 } },
    ),
  );
  t.notThrows(() => checkUserBounds(legacy, { metadata: { a: null } }, { tags: {}, metadata: { level: 1 } }));
  t.throws(
    () =>
      checkUserBounds(
        legacy,
        { metadata: { more: 1 } },
        { tags: {}, metadata: { ...legacy.metadata, more: 1 } },
      ),
    { message: /this update would make 1004 \(1003 stored\)$/ },
  );
});
