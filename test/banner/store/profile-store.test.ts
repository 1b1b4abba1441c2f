import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import anyTest, { type TestFn } from 'ava';
import { openDocumentStore, openPostgresStore } from '../../../src/apis.js';
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
