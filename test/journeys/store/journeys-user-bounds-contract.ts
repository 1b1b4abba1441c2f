import type { ExecutionContext, TestFn } from 'ava';
import type { Partition } from '../../../src/journeys/domain/journey-types.js';
import {
  MAX_USER_FIELD_BYTES,
  MAX_USER_METADATA_KEYS,
  MAX_USER_TAGS,
  UserBoundsError,
} from '../../../src/journeys/domain/user-bounds.js';
import type { JourneysStore } from '../../../src/journeys/store/journeys-store.js';
import type { OpenedJourneysStore } from './journeys-store-contract.js';

const TEST: Partition = { appId: 'demo', environment: 'test' };
const NOW = new Date('2026-11-20T12:00:00.000Z');
const LATER = new Date(NOW.getTime() + 60_000);

let seq = 0;
const id = (): string => `00000000-0000-4000-a000-${String(++seq).padStart(12, '0')}`;

/** `n` keys named `${prefix}0`… with `value` each. */
const keys = <V>(prefix: string, n: number, value: V): Record<string, V> =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, value]));

/** Asserts the upsert is refused with a UserBoundsError naming `field` and matching `message`. */
async function refused(
  t: ExecutionContext,
  upsert: Promise<unknown>,
  field: 'tags' | 'metadata',
  message: RegExp,
): Promise<void> {
  const err = await t.throwsAsync(upsert, { instanceOf: UserBoundsError });
  t.is(err?.problems[0]?.field, field);
  t.regex(err?.problems[0]?.message ?? '', message);
}

/**
 * What a stored journeys user may hold once a patch is merged (domain/user-bounds.ts):
 * each adapter checks the merged record, refuses past a bound with nothing changed, and
 * concurrent upserts of one user cannot jointly go past one.
 */
export function journeysUserBoundsContract(
  test: TestFn,
  name: string,
  open: () => Promise<OpenedJourneysStore>,
): void {
  const withStore = (title: string, body: (t: ExecutionContext, s: JourneysStore) => Promise<void>) =>
    test(`journeys store (${name}): ${title}`, async (t) => {
      const opened = await open();
      t.teardown(() => opened.close());
      await body(t, opened.store);
    });

  withStore('merged tags past 50 keys are refused and the user is unchanged', async (t, s) => {
    await s.upsertUser(TEST, { externalId: 'u1', tags: keys('a', 40, 1) }, NOW, id);
    const before = await s.getUser(TEST, 'u1');
    await refused(
      t,
      s.upsertUser(TEST, { externalId: 'u1', displayName: 'New', tags: keys('b', 11, 1) }, LATER, id),
      'tags',
      new RegExp(`at most ${MAX_USER_TAGS} tags; this update would make 51 \\(40 stored\\)`),
    );
    t.deepEqual(await s.getUser(TEST, 'u1'), before);
    // Up to the bound, or replacing and removing keys, is fine.
    const exact = await s.upsertUser(TEST, { externalId: 'u1', tags: keys('b', 10, 2) }, LATER, id);
    t.is(Object.keys(exact.user.tags).length, MAX_USER_TAGS);
    const swapped = await s.upsertUser(
      TEST,
      { externalId: 'u1', tags: { ...keys('a', 5, null), ...keys('c', 5, 'x') } },
      LATER,
      id,
    );
    t.is(Object.keys(swapped.user.tags).length, MAX_USER_TAGS);
  });

  withStore('merged metadata past 50 keys is refused and the user is unchanged', async (t, s) => {
    await s.upsertUser(TEST, { externalId: 'u1', metadata: keys('m', 50, { a: 1 }) }, NOW, id);
    const before = await s.getUser(TEST, 'u1');
    await refused(
      t,
      s.upsertUser(TEST, { externalId: 'u1', metadata: { extra: true } }, LATER, id),
      'metadata',
      new RegExp(
        `at most ${MAX_USER_METADATA_KEYS} metadata keys; this update would make 51 \\(50 stored\\)`,
      ),
    );
    t.deepEqual(await s.getUser(TEST, 'u1'), before);
  });

  withStore(
    'merged tags or metadata past 8 KB of JSON are refused and the user is unchanged',
    async (t, s) => {
      const kilobyte = 'x'.repeat(1000);
      for (let i = 0; i < 8; i++) {
        await s.upsertUser(TEST, { externalId: 'u1', metadata: { [`m${i}`]: kilobyte } }, NOW, id);
      }
      const before = await s.getUser(TEST, 'u1');
      await refused(
        t,
        s.upsertUser(TEST, { externalId: 'u1', metadata: { m8: kilobyte } }, LATER, id),
        'metadata',
        new RegExp(
          `metadata hold at most ${MAX_USER_FIELD_BYTES} bytes of JSON \\(8 KB\\); this update would make 9\\d{3} \\(8\\d{3} stored\\)`,
        ),
      );
      t.deepEqual(await s.getUser(TEST, 'u1'), before);
      // A new user is held to the bound as well, and not created.
      await refused(
        t,
        s.upsertUser(TEST, { externalId: 'u2', tags: keys('t', 9, kilobyte) }, NOW, id),
        'tags',
        /8192 bytes/,
      );
      t.is(await s.getUser(TEST, 'u2'), null);
      // Fields other than tags and metadata still update.
      const renamed = await s.upsertUser(TEST, { externalId: 'u1', displayName: 'Ada' }, LATER, id);
      t.deepEqual(renamed.user.metadata, before?.metadata);
    },
  );

  withStore('concurrent upserts of one user cannot jointly pass a bound', async (t, s) => {
    await s.upsertUser(TEST, { externalId: 'u1', tags: keys('a', 20, 1) }, NOW, id);
    const outcomes = await Promise.allSettled(
      ['b', 'c', 'd', 'e'].map((prefix) =>
        s.upsertUser(TEST, { externalId: 'u1', tags: keys(prefix, 15, 1) }, LATER, id),
      ),
    );
    t.is(outcomes.filter((o) => o.status === 'fulfilled').length, 2);
    for (const o of outcomes) if (o.status === 'rejected') t.true(o.reason instanceof UserBoundsError);
    t.is(Object.keys((await s.getUser(TEST, 'u1'))?.tags ?? {}).length, 50);
  });
}
