/**
 * Unity's /engage retry keys are claimed as /track's insert ids are, and had the same hole: the
 * profile written, then the claim; a kill in between and the SDK's retry applied a `$add` again.
 */
import anyTest, { type TestFn } from 'ava';
import { openPostgresStore } from '../../../src/apis.js';
import { ProfileDocumentStore } from '../../../src/banner/store/profile-document-store.js';
import type { ProfileUpdate } from '../../../src/banner/store/profile-store.js';
import { usePostgres } from '../../helpers/postgres-server.js';
import { tempDir } from '../../helpers/temp-dir.js';

const test = anyTest as TestFn;
const pg = usePostgres(test);

const add = (retryKey: string, coins: number): ProfileUpdate => ({
  kind: 'user',
  id: 'u1',
  operations: [{ op: '$add', values: { coins } }],
  retryKey,
});

test('lowdb: an update applied whose claim a kill lost: its retry changes nothing', async (t) => {
  const dir = await tempDir(t);
  const first = await ProfileDocumentStore.open(dir);
  await first.update('app', [add('r1', 5)]);
  // Killed here: the profile is on disk, the claim of r1 never written.
  const reopened = await ProfileDocumentStore.open(dir);
  t.deepEqual(await reopened.update('app', [add('r1', 5), add('r2', 1)]), [null, null]);
  t.deepEqual(await reopened.profile('app', 'user', 'u1'), { coins: 6 });
  // Settled, the keys go; updates without a key apply every time, as before.
  reopened.settleRetryKeys('app', [add('r1', 5), add('r2', 1)]);
  await reopened.update('app', [
    { kind: 'user', id: 'u1', operations: [{ op: '$add', values: { coins: 1 } }] },
  ]);
  await reopened.flush();
  const again = await ProfileDocumentStore.open(dir);
  t.deepEqual(await again.profile('app', 'user', 'u1'), { coins: 7 });
});

test('postgres: the claim of a retry key is marked stored in the update transaction', async (t) => {
  const url = await pg().freshDatabase('engage_claims');
  const [a, b] = [await openPostgresStore(url, { max: 2 }), await openPostgresStore(url, { max: 2 })];
  t.teardown(async () => {
    await a.close();
    await b.close();
  });
  const at = new Date('2026-11-20T12:00:00.000Z');
  let stored!: () => void;
  const updated = new Promise<void>((resolve) => {
    stored = resolve;
  });
  void a.profiles.claimInsertIds('app', ['r1'], at, async () => {
    await a.profiles.update('app', [add('r1', 5)]);
    stored();
    await new Promise<void>(() => {});
  });
  await updated;
  const later = new Date(at.getTime() + 60_000);
  const claimed = await b.profiles.claimInsertIds('app', ['r1'], later, async (c) => {
    if (c.size > 0) await b.profiles.update('app', [add('r1', 5)]);
  });
  t.deepEqual([...claimed], [], 'the retry is a duplicate');
  t.deepEqual(await b.profiles.profile('app', 'user', 'u1'), { coins: 5 });
});
