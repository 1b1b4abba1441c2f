import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
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

/** Each shard file of a lowdb profile store, with its inode (a rewrite replaces the file) and size. */
async function shardFiles(dir: string) {
  const names = (await readdir(dir)).filter((n) => /^banner-profiles-\d+\.json$/.test(n));
  return new Map(
    await Promise.all(
      names.map(async (n) => {
        const s = await stat(path.join(dir, n));
        return [n, { ino: s.ino, size: s.size }] as const;
      }),
    ),
  );
}

test('lowdb: an /engage update or a /track claim rewrites one shard, not every profile and insert id', async (t) => {
  const dir = freshDir();
  const { store, close } = await openDocument(dir);
  t.teardown(close);
  const at = new Date();
  for (let n = 0; n < 6400; n += 400) {
    await store.update(
      'app',
      Array.from({ length: 400 }, (_, i) => ({
        kind: 'user' as const,
        id: `u${n + i}`,
        operations: [{ op: '$set' as const, values: { level: 3, name: `player ${n + i}` } }],
      })),
    );
    await store.claimInsertIds(
      'app',
      Array.from({ length: 400 }, (_, i) => `insert-${n + i}`),
      at,
    );
  }
  for (const write of [
    () =>
      store.update('app', [{ kind: 'user', id: 'u17', operations: [{ op: '$set', values: { level: 4 } }] }]),
    () => store.claimInsertIds('app', ['insert-new'], at),
  ]) {
    const before = await shardFiles(dir);
    await write();
    const after = await shardFiles(dir);
    const total = [...after.values()].reduce((n, f) => n + f.size, 0);
    const rewritten = [...after].filter(([name, f]) => before.get(name)?.ino !== f.ino);
    t.is(rewritten.length, 1, 'one shard file written');
    const [, file] = rewritten[0] ?? ['', { size: total }];
    // One document held everything: the whole store was written for every call.
    t.true(file.size < total / 16, `${file.size} bytes written of ${total}`);
  }
  t.deepEqual(await store.profile('app', 'user', 'u17'), { level: 4, name: 'player 17' });
});

test('lowdb: the single profiles document of earlier versions is taken over into the shards', async (t) => {
  const dir = freshDir();
  const now = Date.now();
  await writeFile(
    path.join(dir, 'banner-profiles.json'),
    JSON.stringify({
      profiles: [{ appId: 'app', kind: 'user', id: 'u', properties: { vip: 1 } }],
      aliases: [{ appId: 'app', alias: 'anon-1', distinctId: 'u' }],
      insertIds: [{ appId: 'app', id: 'seen-1', at: now }],
      grants: [{ appId: 'app', userId: 'u', offerId: 'o', count: 1, lastAt: now }],
    }),
  );
  const first = await openDocument(dir);
  t.false((await readdir(dir)).includes('banner-profiles.json'), 'the single document is gone');
  await first.close();
  const { store, close } = await openDocument(dir);
  t.teardown(close);
  t.deepEqual(await store.profile('app', 'user', 'u'), { vip: 1 });
  t.is(await store.resolve('app', 'anon-1'), 'u');
  t.is((await store.claimInsertIds('app', ['seen-1'], new Date(now))).size, 0, 'its insert ids still count');
  t.false(await store.grant('app', 'u', 'o', new Date(now), { cooldownMs: null, maxPerUser: 1 }));
});

test('lowdb: a record found in another shard than its key picks is moved to that shard', async (t) => {
  const dir = freshDir();
  // Written with fewer shards: every record in the first file.
  await writeFile(
    path.join(dir, 'banner-profiles-00.json'),
    JSON.stringify({
      profiles: Array.from({ length: 20 }, (_, i) => ({
        appId: 'app',
        kind: 'user',
        id: `u${i}`,
        properties: { i },
      })),
      aliases: [],
      insertIds: [],
      grants: [],
    }),
  );
  const first = await openDocument(dir);
  await first.close();
  const stored = JSON.parse(await readFile(path.join(dir, 'banner-profiles-00.json'), 'utf8')) as {
    profiles: unknown[];
  };
  t.true(stored.profiles.length < 20, 'the others moved out of the first shard');
  const { store, close } = await openDocument(dir);
  t.teardown(close);
  for (let i = 0; i < 20; i++) t.deepEqual(await store.profile('app', 'user', `u${i}`), { i });
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
