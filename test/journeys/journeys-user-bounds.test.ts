import test from 'ava';
import {
  MAX_USER_FIELD_BYTES,
  MAX_USER_FIELD_VALUES,
  MAX_USER_TAGS,
} from '../../src/journeys/domain/user-bounds.js';
import { startJourneysService } from '../helpers/journeys-service.js';

/** `n` tags named `${prefix}0`… */
const tags = (prefix: string, n: number, value: string | number = 1) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, value]));

for (const store of ['memory', 'lowdb'] as const) {
  test(`POST /users past 50 merged tags or 8 KB of metadata is a 400 naming the limit and count; the user is unchanged (${store})`, async (t) => {
    const s = await startJourneysService(t, { store });
    for (const prefix of ['a', 'b', 'c']) {
      const res = await s.api('POST', '/users', { body: { externalId: 'grow', tags: tags(prefix, 14) } });
      t.is(res.status, 200);
    }
    const before = (await s.api('GET', '/users/grow')).body.data;
    const fourth = await s.api('POST', '/users', {
      body: { externalId: 'grow', displayName: 'Grown', tags: tags('d', 14) },
    });
    t.is(fourth.status, 400);
    t.like(fourth.body, { message: 'Invalid request body', code: 400, status: 'error' });
    t.deepEqual(fourth.body.errors, [
      {
        field: 'tags',
        message: `a user holds at most ${MAX_USER_TAGS} tags; this update would make 56 (42 stored)`,
      },
    ]);
    t.deepEqual((await s.api('GET', '/users/grow')).body.data, before);

    const chunk = 'y'.repeat(3000);
    t.is(
      (await s.api('POST', '/users', { body: { externalId: 'grow', metadata: { m1: chunk, m2: chunk } } }))
        .status,
      200,
    );
    const tooBig = await s.api('POST', '/users', { body: { externalId: 'grow', metadata: { m3: chunk } } });
    t.is(tooBig.status, 400);
    t.is(tooBig.body.errors[0].field, 'metadata');
    t.regex(
      tooBig.body.errors[0].message,
      new RegExp(
        `at most ${MAX_USER_FIELD_BYTES} bytes of JSON \\(8 KB\\); this update would make 9\\d{3} \\(6\\d{3} stored\\)`,
      ),
    );
    t.deepEqual(Object.keys((await s.api('GET', '/users/grow')).body.data.metadata), ['m1', 'm2']);
    // Making room first is the way on.
    const swapped = await s.api('POST', '/users', {
      body: { externalId: 'grow', metadata: { m1: null, m3: chunk } },
    });
    t.is(swapped.status, 200);
    t.deepEqual(Object.keys(swapped.body.data.metadata).sort(), ['m2', 'm3']);
  });

  test(`POST /users past 512 JSON values of metadata is a 400 naming the bound and count; the user is unchanged (${store})`, async (t) => {
    const s = await startJourneysService(t, { store });
    t.is(
      (await s.api('POST', '/users', { body: { externalId: 'amp', metadata: { level: 1 } } })).status,
      200,
    );
    const before = (await s.api('GET', '/users/amp')).body.data;
    // 1.8 KB of JSON, within the 8 KB byte bound; 38 KB of heap once stored.
    const empties = Array.from({ length: 600 }, () => ({}));
    const res = await s.api('POST', '/users', { body: { externalId: 'amp', metadata: { a: empties } } });
    t.is(res.status, 400);
    t.like(res.body, { message: 'Invalid request body', code: 400, status: 'error' });
    t.deepEqual(res.body.errors, [
      {
        field: 'metadata',
        message: `a user's metadata hold at most ${MAX_USER_FIELD_VALUES} JSON values (every object, array and scalar counts one); this update would make 603 (2 stored)`,
      },
    ]);
    t.deepEqual((await s.api('GET', '/users/amp')).body.data, before);
  });
}
