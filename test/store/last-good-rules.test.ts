import anyTest, { type ExecutionContext, type TestFn } from 'ava';
import { openDocumentStore, openPostgresStore } from '../../src/apis.js';
import { KEPT_PER_APP } from '../../src/store/last-good-rules.js';
import type { Store } from '../../src/store/store.js';
import { usePostgres } from '../helpers/postgres-server.js';
import { tempDir } from '../helpers/temp-dir.js';

/** LastGoodRules on every store: a snapshot per app, replaced by the next, read back after a reopen. */
const test = anyTest as TestFn;
const server = usePostgres(test);

const snapshot = (hash: string) => ({
  hash,
  files: [
    { name: 'banner.yaml', text: `version: 1\n# ${hash} é ✓\n` },
    { name: 'segments.yaml', text: 'version: 2\n' },
  ],
});

async function contract(t: ExecutionContext, open: () => Promise<Store>): Promise<void> {
  const store = await open();
  t.is(await store.lastGoodRules.get('demo'), null);
  await store.lastGoodRules.put('demo', snapshot('aaa'));
  await store.lastGoodRules.put('other', snapshot('bbb'));
  await store.lastGoodRules.put('demo', snapshot('ccc'));
  t.deepEqual(await store.lastGoodRules.get('demo'), snapshot('ccc'));
  t.is(await store.lastGoodRules.get('constructor'), null, 'no prototype key reads as an app');
  await store.close();
  const again = await open();
  t.deepEqual(await again.lastGoodRules.get('demo'), snapshot('ccc'), 'kept across a reopen');
  t.deepEqual(await again.lastGoodRules.get('other'), snapshot('bbb'));
  // The app's snapshots are kept too, the newest first, for a rollback after a restart.
  t.deepEqual(
    (await again.lastGoodRules.kept('demo')).map((k) => k.hash),
    ['ccc', 'aaa'],
  );
  t.deepEqual(await again.lastGoodRules.find('demo', 'aaa'), snapshot('aaa'));
  t.is(await again.lastGoodRules.find('demo', 'bbb'), null, "another app's snapshot is not this one's");
  t.is(await again.lastGoodRules.find('constructor', 'aaa'), null);
  // Going live again moves a snapshot to the front; at most KEPT_PER_APP are kept.
  await again.lastGoodRules.put('demo', snapshot('aaa'));
  t.deepEqual(
    (await again.lastGoodRules.kept('demo')).map((k) => k.hash),
    ['aaa', 'ccc'],
  );
  for (let i = 0; i < KEPT_PER_APP + 2; i++) {
    await again.lastGoodRules.put('demo', snapshot(`h${i}`));
    // PostgreSQL's now() is the transaction's: distinct instants order the kept list.
    await new Promise((r) => setTimeout(r, 2));
  }
  const kept = await again.lastGoodRules.kept('demo');
  t.is(kept.length, KEPT_PER_APP);
  t.is(kept[0]?.hash, `h${KEPT_PER_APP + 1}`);
  t.is(await again.lastGoodRules.find('demo', 'aaa'), null, 'the oldest is dropped');
  t.deepEqual(await again.lastGoodRules.get('demo'), snapshot(`h${KEPT_PER_APP + 1}`));
  await again.close();
}

test('lowdb: the last good rules per app, the latest kept, across a reopen', async (t) => {
  const dir = await tempDir(t);
  await contract(t, () => openDocumentStore(dir));
});

test('postgres: the last good rules per app, the latest kept, across a reopen', async (t) => {
  const url = await server().freshDatabase('last_good');
  await contract(t, () => openPostgresStore(url));
});
