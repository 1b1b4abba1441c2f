import { mkdtempSync, rmSync } from 'node:fs';
import { appendFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import anyTest, { type TestFn } from 'ava';
import { openDocumentStore, openPostgresStore } from '../../../src/apis.js';
import { InsertIdPruner } from '../../../src/banner/store/insert-id-pruner.js';
import { ProfileDocumentStore } from '../../../src/banner/store/profile-document-store.js';
import { INSERT_ID_WINDOW_MS } from '../../../src/banner/store/profile-store.js';
import { isStoreUnavailable } from '../../../src/store/store-unavailable.js';
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
  const once = { cooldownMs: null, maxPerUser: 1 };
  await first.store.grant('app', 'u', 'offer', new Date(0), once, 'p-1');
  await first.close();
  const second = await openDocument(dir);
  t.teardown(() => second.close());
  t.deepEqual(await second.store.profile('app', 'user', 'u'), { vip: 1 });
  t.is(await second.store.resolve('app', 'anon-1'), 'u');
  t.true(await second.store.linkedTo('app', 'u'), 'the index of link targets is rebuilt on open');
  t.false(await second.store.linkedTo('app', 'anon-1'));
  t.deepEqual(await second.store.grantsFor('app', 'u', ['offer'], 'p-1'), [
    { offerId: 'offer', at: new Date(0) },
  ]);
  t.deepEqual(
    await second.store.grant('app', 'u', 'offer', new Date(1), once, 'p-1'),
    new Date(0),
    'p-1 is replayed',
  );
  t.is(await second.store.grant('app', 'u', 'offer', new Date(1), once, 'p-2'), null, 'the cap holds');
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

test('lowdb: an /engage update rewrites one shard, not every profile', async (t) => {
  const dir = freshDir();
  const { store, close } = await openDocument(dir);
  t.teardown(close);
  for (let n = 0; n < 6400; n += 400) {
    await store.update(
      'app',
      Array.from({ length: 400 }, (_, i) => ({
        kind: 'user' as const,
        id: `u${n + i}`,
        operations: [{ op: '$set' as const, values: { level: 3, name: `player ${n + i}` } }],
      })),
    );
  }
  const before = await shardFiles(dir);
  await store.update('app', [
    { kind: 'user', id: 'u17', operations: [{ op: '$set', values: { level: 4 } }] },
  ]);
  const after = await shardFiles(dir);
  const total = [...after.values()].reduce((n, f) => n + f.size, 0);
  const rewritten = [...after].filter(([name, f]) => before.get(name)?.ino !== f.ino);
  t.is(rewritten.length, 1, 'one shard file written');
  const [, file] = rewritten[0] ?? ['', { size: total }];
  // One document held everything: the whole store was written for every call.
  t.true(file.size < total / 16, `${file.size} bytes written of ${total}`);
  t.deepEqual(await store.profile('app', 'user', 'u17'), { level: 4, name: 'player 17' });
});

test('lowdb: a /track claim appends its insert ids to their log; profiles and older ids are not rewritten', async (t) => {
  const dir = freshDir();
  const log = path.join(dir, 'banner-insert-ids.jsonl');
  const at = new Date();
  const first = await openDocument(dir);
  for (let n = 0; n < 6000; n += 500) {
    const ids = Array.from({ length: 500 }, (_, i) => `insert-${n + i}`);
    await first.store.claimInsertIds('app', ids, at);
  }
  const shardsBefore = await shardFiles(dir);
  const before = await stat(log);
  t.deepEqual(
    [...(await first.store.claimInsertIds('app', ['insert-new', 'insert-17'], at))],
    ['insert-new'],
  );
  const after = await stat(log);
  t.is(after.ino, before.ino, 'appended, not rewritten');
  t.true(after.size - before.size < 100, `${after.size - before.size} bytes for one id`);
  t.deepEqual(await shardFiles(dir), shardsBefore, 'no profile shard written');
  await first.close();
  // A torn last line (a crash mid-append) is skipped; the acknowledged ids are all there.
  await appendFile(log, '["c","app","torn');
  const { store, close } = await openDocument(dir);
  t.teardown(close);
  t.is((await store.claimInsertIds('app', ['insert-0', 'insert-5999', 'insert-new'], at)).size, 0);
  t.deepEqual([...(await store.claimInsertIds('app', ['torn', 'after-torn'], at))], ['torn', 'after-torn']);
});

test("lowdb: a kill while a claim's events are being stored leaves the id free for the retry", async (t) => {
  const dir = freshDir();
  const at = new Date();
  // The bare profile store, without the data dir's lock: this process lives on, and the
  // lock of a killed one would be taken over (test/store/document/data-dir-lock.test.ts).
  const killed = await ProfileDocumentStore.open(dir);
  await killed.claimInsertIds('app', ['stored-before'], at);
  // The process dies while the events of this claim are still being written.
  void killed.claimInsertIds('app', ['in-flight'], at, () => new Promise<void>(() => {}));
  await new Promise((resolve) => setTimeout(resolve, 100));
  const restarted = await openDocument(dir);
  t.teardown(restarted.close);
  t.deepEqual(
    [...(await restarted.store.claimInsertIds('app', ['in-flight', 'stored-before'], at))],
    ['in-flight'],
    'the retry stores the events that were never stored; the acknowledged id stays claimed',
  );
});

test('lowdb: a claim whose write fails rejects and leaves its ids unclaimed, so the retry stores them', async (t) => {
  const dir = freshDir();
  const { store, close } = await openDocument(dir);
  t.teardown(close);
  const at = new Date();
  await store.claimInsertIds('app', ['before'], at);
  // The log's directory is gone: the append cannot be made durable.
  rmSync(dir, { recursive: true, force: true });
  await t.throwsAsync(store.claimInsertIds('app', ['lost-1', 'lost-2'], at));
  await mkdir(dir);
  t.deepEqual(
    [...(await store.claimInsertIds('app', ['lost-1', 'lost-2', 'before'], at))],
    ['lost-1', 'lost-2'],
  );
});

test('lowdb: the insert-id log is rewritten without expired ids once it has grown, not on every claim', async (t) => {
  const dir = freshDir();
  const log = path.join(dir, 'banner-insert-ids.jsonl');
  const { store, close } = await openDocument(dir);
  t.teardown(close);
  const start = Date.parse('2026-11-01T00:00:00.000Z');
  let rewrites = 0;
  let inode = -1;
  // 30 days of claims, 1,000 a day: the log keeps about one window of ids.
  for (let day = 0; day < 30; day++) {
    const at = new Date(start + day * 86_400_000);
    for (let b = 0; b < 1000; b += 100) {
      const ids = Array.from({ length: 100 }, (_, i) => `d${day}-${b + i}`);
      t.is((await store.claimInsertIds('app', ids, at)).size, 100);
      const now = (await stat(log)).ino;
      if (inode !== -1 && now !== inode) rewrites++;
      inode = now;
    }
  }
  t.true(rewrites >= 1 && rewrites <= 6, `${rewrites} rewrites in 300 claims`);
  const lines = (await readFile(log, 'utf8')).trimEnd().split('\n').length;
  t.true(lines <= 2 * 8000 + 1000, `${lines} lines for a window of ~7,000 ids`);
  const last = new Date(start + 29 * 86_400_000);
  t.is((await store.claimInsertIds('app', ['d29-1', 'd25-1'], last)).size, 0, 'ids of the window count');
  t.is(
    (await store.claimInsertIds('app', ['d2-1'], last)).size,
    1,
    'an id older than the window counts again',
  );
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
  t.regex(await readFile(path.join(dir, 'banner-insert-ids.jsonl'), 'utf8'), /seen-1/);
  for (const name of (await readdir(dir)).filter((n) => n.startsWith('banner-profiles-'))) {
    const doc = JSON.parse(await readFile(path.join(dir, name), 'utf8')) as { insertIds?: unknown[] };
    t.is(doc.insertIds, undefined, `${name} holds no insert ids`);
  }
  t.is(await store.grant('app', 'u', 'o', new Date(now), { cooldownMs: null, maxPerUser: 1 }, null), null);
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

test('postgres: another instance waits for a claim whose events are being stored, answers 503 if it stays pending, and takes over an abandoned one', async (t) => {
  const url = await pg().freshDatabase('pending_claims');
  const [a, b] = [await openPostgresStore(url, { max: 2 }), await openPostgresStore(url, { max: 2 })];
  t.teardown(async () => {
    await a.close();
    await b.close();
  });
  const at = new Date('2026-11-20T12:00:00.000Z');
  let finish!: () => void;
  const gate = new Promise<void>((resolve) => {
    finish = resolve;
  });
  // Instance a claims x and is storing its events; b's retry of x waits for them.
  const first = a.profiles.claimInsertIds('app', ['x'], at, () => gate);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const retry = b.profiles.claimInsertIds('app', ['x'], at);
  await new Promise((resolve) => setTimeout(resolve, 300));
  finish();
  t.deepEqual([...(await first)], ['x']);
  t.deepEqual([...(await retry)], [], 'a duplicate once the events are stored');
  // An instance that never stores its events: the other's retry is told to come back later…
  void a.profiles.claimInsertIds('app', ['y'], at, () => new Promise<void>(() => {}));
  await new Promise((resolve) => setTimeout(resolve, 200));
  const busy = await t.throwsAsync(b.profiles.claimInsertIds('app', ['y'], at));
  t.true(isStoreUnavailable(busy), 'a 503: retry later');
  // Said as what it is, not as a database that is down (the operator looked for one).
  t.regex(
    busy?.message ?? '',
    /^events of this batch are being stored by another attempt .* after 30 s\): retry later$/,
  );
  // …and once the claim is older than an events write can take, the retry takes it over.
  const later = new Date(at.getTime() + 60_000);
  const stored: string[] = [];
  t.deepEqual(
    [...(await b.profiles.claimInsertIds('app', ['y'], later, async (c) => void stored.push(...c)))],
    ['y'],
  );
  t.deepEqual(stored, ['y']);
});

test('postgres: two instances linking A→B and B→A at once link one of the two', async (t) => {
  const url = await pg().freshDatabase('alias_race');
  const [a, b] = [await openPostgresStore(url, { max: 2 }), await openPostgresStore(url, { max: 2 })];
  t.teardown(async () => {
    await a.close();
    await b.close();
  });
  for (let i = 0; i < 30; i++) {
    const [x, y] = [`x${i}`, `y${i}`];
    await Promise.all([a.profiles.alias('app', x, y), b.profiles.alias('app', y, x)]);
    const [rx, ry] = [await a.profiles.resolve('app', x), await b.profiles.resolve('app', y)];
    t.is(rx, ry, `${x} and ${y} stand for one user`);
  }
});
