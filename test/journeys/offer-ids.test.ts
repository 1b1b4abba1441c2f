import test from 'ava';
import { timeOrderedIds } from '../../src/journeys/offer-ids.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('offer ids are distinct version-7 UUIDs that sort by the millisecond they were made in', async (t) => {
  const next = timeOrderedIds();
  const first = Array.from({ length: 1000 }, next);
  await new Promise((resolve) => setTimeout(resolve, 5));
  const later = Array.from({ length: 1000 }, next);
  const all = [...first, ...later];
  t.true(all.every((id) => UUID_V7.test(id)));
  t.is(new Set(all).size, all.length, 'no id twice, across the random pool refills');
  const millis = (id: string) => Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16);
  for (const id of later)
    t.true(id > (first.at(-1) as string) || millis(id) > millis(first.at(-1) as string));
  t.true(Math.abs(millis(all[0] as string) - Date.now()) < 60_000, 'the id carries the time it was made');
  t.true(
    all.every((id, i) => i === 0 || millis(id) >= millis(all[i - 1] as string)),
    'never older than the one before',
  );
});
