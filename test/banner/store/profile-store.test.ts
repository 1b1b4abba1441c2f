import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import anyTest, { type TestFn } from 'ava';
import { openDocumentStore, openPostgresStore } from '../../../src/apis.js';
import { InsertIdPruner } from '../../../src/banner/store/insert-id-pruner.js';
import { INSERT_ID_WINDOW_MS } from '../../../src/banner/store/profile-store.js';
import { usePostgres } from '../../helpers/postgres-server.js';
import { profileStoreContract } from './profile-store-contract.js';

const test = anyTest as TestFn;

async function openDocument(dir: string | null) {
  const store = await openDocumentStore(dir);
  return { store: store.profiles, close: () => store.close() };
}

const root = mkdtempSync(path.join(os.tmpdir(), 'offerd-profile-store-'));
const freshDir = () => mkdtempSync(path.join(root, 'db-'));
test.after.always(() => rmSync(root, { recursive: true, force: true }));

profileStoreContract(test, 'memory', () => openDocument(null));
profileStoreContract(test, 'lowdb', () => openDocument(freshDir()));

test('lowdb: profiles, aliases and grants survive a reopen', async (t) => {
  const dir = freshDir();
  const first = await openDocument(dir);
  await first.store.update('app', [
    { kind: 'user', id: 'u', operations: [{ op: '$set', values: { vip: 1 } }] },
  ]);
  await first.store.alias('app', 'anon-1', 'u');
  await first.close();
  const second = await openDocument(dir);
  t.teardown(() => second.close());
  t.deepEqual(await second.store.profile('app', 'user', 'u'), { vip: 1 });
  t.is(await second.store.resolve('app', 'anon-1'), 'u');
});

// Cases use unique ids, so they share one database.
const pg = usePostgres(test);
profileStoreContract(test, 'postgres', async () => {
  const store = await openPostgresStore(pg().url, { max: 4 });
  return { store: store.profiles, close: () => store.close() };
});

test('postgres: the background pruner keeps banner_insert_ids to the de-duplication window', async (t) => {
  const store = await openPostgresStore(await pg().freshDatabase('prune'), { max: 2 });
  t.teardown(() => store.close());
  const now = new Date('2026-11-20T12:00:00.000Z');
  const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
  // 25,000 ids a month old (more than one DELETE batch), a few inside the window.
  for (let i = 0; i < 25; i++) {
    const ids = Array.from({ length: 1000 }, (_, j) => `old-${i}-${j}`);
    await store.profiles.claimInsertIds('app', ids, daysAgo(30));
  }
  await store.profiles.claimInsertIds('app', ['fresh-1', 'fresh-2'], daysAgo(1));
  const rows = async () =>
    Number((await store.pool.query('SELECT count(*) AS n FROM banner_insert_ids')).rows[0]?.n);
  t.is(await rows(), 25_002);
  const errors: Error[] = [];
  const pruner = new InsertIdPruner(store.profiles, {
    intervalMs: 3_600_000,
    now: () => now,
    onError: (err) => errors.push(err),
  });
  t.teardown(() => pruner.close());
  t.is(await pruner.prune(), 25_000);
  t.is(await rows(), 2, 'only the ids inside the window are kept');
  t.is((await store.profiles.claimInsertIds('app', ['fresh-1'], now)).size, 0, 'and still de-duplicate');
  t.deepEqual(errors, []);
  t.true(INSERT_ID_WINDOW_MS < 30 * 86_400_000);
});
