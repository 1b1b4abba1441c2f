import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { openDocumentStore } from '../../../src/apis.js';
import type { OfferwallDocumentStore } from '../../../src/offerwall/store/offerwall-document-store.js';
import type { ClickRecord, EventRecord } from '../../../src/offerwall/store/offerwall-store.js';
import { offerwallStoreContract } from './offerwall-store-contract.js';

offerwallStoreContract(test, 'memory', async () => {
  const store = await openDocumentStore(null);
  return { store: store.offerwall, close: () => store.close() };
});

let dir = '';
test.before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'offerd-offerwall-store-'));
});
test.after.always(async () => {
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
const openLowdb = async (at = path.join(dir, String(n++))) => {
  const store = await openDocumentStore(at);
  return { store: store.offerwall, close: () => store.close(), reopen: () => openLowdb(at) };
};

offerwallStoreContract(test, 'lowdb', () => openLowdb(), { persistent: true });

const click = (uid: string, over: Partial<ClickRecord> = {}): ClickRecord => ({
  appId: 'demo',
  wallId: 1001,
  uid,
  offerId: 7,
  category: 'Games',
  offerType: 4,
  sid3: null,
  at: '2026-11-20T12:00:00.000Z',
  ...over,
});

const postback = (uid: string, transactionId: string): EventRecord => ({
  ...click(uid),
  eventId: 'base',
  transactionId,
  final: false,
  at: '2026-11-20T12:05:00.000Z',
});

/** Each progress or transaction file, with its inode (a write replaces the file) and size. */
async function storeFiles(at: string, prefix: 'offerwall-progress' | 'offerwall-transactions') {
  const names = (await readdir(at)).filter((n) => new RegExp(`^${prefix}(-\\d+)?\\.json$`).test(n));
  return new Map(
    await Promise.all(
      names.map(async (n) => {
        const s = await stat(path.join(at, n));
        return [n, { ino: s.ino, size: s.size }] as const;
      }),
    ),
  );
}

/** The files of `after` written since `before`, and the bytes of all of them. */
function rewritten(before: Awaited<ReturnType<typeof storeFiles>>, after: typeof before) {
  const total = [...after.values()].reduce((n, f) => n + f.size, 0);
  return {
    total,
    files: [...after].filter(([name, f]) => before.get(name)?.ino !== f.ino).map(([, f]) => f),
  };
}

test('lowdb: a click rewrites one progress shard, a postback one progress and one transaction shard', async (t) => {
  const at = path.join(dir, 'shards');
  const { store, close, reopen } = await openLowdb(at);
  // 3,000 users with a click each, every fifth with a postback.
  for (let n = 0; n < 3000; n += 200) {
    const users = Array.from({ length: 200 }, (_, i) => `u${n + i}`);
    await Promise.all(users.map((u) => store.recordClick(click(u))));
    await Promise.all(
      users.filter((_, i) => i % 5 === 0).map((u) => store.recordEvent(postback(u, `tx-${u}`))),
    );
  }
  const progress = await storeFiles(at, 'offerwall-progress');
  const transactions = await storeFiles(at, 'offerwall-transactions');

  t.like(await store.recordClick(click('u17', { at: '2026-11-21T00:00:00.000Z' })), { clicks: 2 });
  const byClick = rewritten(progress, await storeFiles(at, 'offerwall-progress'));
  t.is(byClick.files.length, 1, 'one progress file written');
  // One document held every user's progress and every transaction: a click wrote it all.
  t.true(
    (byClick.files[0]?.size ?? byClick.total) < byClick.total / 16,
    `${byClick.files[0]?.size} of ${byClick.total} bytes`,
  );
  t.deepEqual(await storeFiles(at, 'offerwall-transactions'), transactions, 'no transaction file written');

  const before = { progress: await storeFiles(at, 'offerwall-progress'), transactions };
  t.is((await store.recordEvent(postback('u18', 'tx-new'))).result, 'recorded');
  for (const [what, after] of [
    ['progress', rewritten(before.progress, await storeFiles(at, 'offerwall-progress'))],
    ['transaction', rewritten(before.transactions, await storeFiles(at, 'offerwall-transactions'))],
  ] as const) {
    t.is(after.files.length, 1, `one ${what} file written`);
    t.true(
      (after.files[0]?.size ?? after.total) < after.total / 16,
      `${what}: ${after.files[0]?.size} of ${after.total}`,
    );
  }

  await close();
  const again = await reopen();
  t.teardown(again.close);
  t.like((await again.store.progressOf('demo', 'u17'))[0], {
    clicks: 2,
    lastClickAt: '2026-11-21T00:00:00.000Z',
  });
  t.like((await again.store.progressOf('demo', 'u2995'))[0], { clicks: 1, completedEvents: ['base'] });
  t.deepEqual(await again.store.progressOf('demo', 'u2996').then((l) => l[0]?.completedEvents), []);
  t.is((await again.store.recordEvent(postback('u2995', 'tx-u2995'))).result, 'duplicate');
  t.is((await again.store.recordEvent(postback('u18', 'tx-new'))).result, 'duplicate');
  t.is((await again.store.recordEvent(postback('u2996', 'tx-u2996'))).result, 'recorded');
});

/** A stored progress record of user `uid` on offer 7, completed by its 'base' event. */
const storedProgress = (uid: string) => ({
  appId: 'demo',
  uid,
  offerId: 7,
  wallId: 1001,
  category: 'Games',
  offerType: 4,
  status: 'completed',
  sid3: `s-${uid}`,
  clicks: 1,
  firstClickAt: '2026-11-20T12:00:00.000Z',
  lastClickAt: '2026-11-20T12:00:00.000Z',
  completedEvents: ['base'],
  completedAt: '2026-11-20T12:05:00.000Z',
  updatedAt: '2026-11-20T12:05:00.000Z',
});
const storedTransaction = (uid: string) => ({
  appId: 'demo',
  transactionId: `tx-${uid}`,
  uid,
  offerId: 7,
  eventId: 'base',
  at: '2026-11-20T12:05:00.000Z',
});

async function exported(store: OfferwallDocumentStore, collection: string): Promise<unknown[]> {
  const all: unknown[] = [];
  for await (const batch of store.exportRecords(collection)) all.push(...batch);
  return all;
}

test('lowdb: the single progress document of earlier versions is taken over into the shards', async (t) => {
  const at = path.join(dir, 'take-over');
  await mkdir(at);
  const users = Array.from({ length: 200 }, (_, i) => `u${i}`);
  const old = JSON.stringify({
    progress: users.map(storedProgress),
    transactions: users.map(storedTransaction),
  });
  const single = path.join(at, 'offerwall-progress.json');
  await writeFile(single, old);

  const first = await openLowdb(at);
  t.false(existsSync(single), 'the single document is gone');
  t.like((await first.store.progressOf('demo', 'u42'))[0], { status: 'completed', sid3: 's-u42' });
  const replay = await first.store.recordEvent(postback('u42', 'tx-u42'));
  t.like(replay, { result: 'duplicate', first: { uid: 'u42', offerId: 7, eventId: 'base' } });
  // u42 completed base under tx-u42: a new transaction for it is a repeat, recorded as such.
  t.is((await first.store.recordEvent(postback('u42', 'tx-after'))).result, 'repeat');
  await first.close();

  // A crash after the shards were written, before the document was removed: taken over
  // again, the same records, none twice, and what was written since is kept.
  await writeFile(single, old);
  const second = await first.reopen();
  t.teardown(second.close);
  t.false(existsSync(single));
  t.is((await exported(second.store, 'offerwall.progress')).length, 200);
  t.is((await exported(second.store, 'offerwall.transactions')).length, 201);
  for (const uid of ['u0', 'u42', 'u199']) {
    t.like(await second.store.progressOf('demo', uid), [{ clicks: 1, completedEvents: ['base'] }]);
    t.is((await second.store.recordEvent(postback(uid, `tx-${uid}`))).result, 'duplicate');
  }
  t.is((await second.store.recordEvent(postback('u42', 'tx-after'))).result, 'duplicate');
});

test('lowdb: records found in another shard than their key picks are moved to it', async (t) => {
  const at = path.join(dir, 'strays');
  await mkdir(at);
  // Written with fewer shards: every record in the first file.
  const users = Array.from({ length: 20 }, (_, i) => `u${i}`);
  const first = path.join(at, 'offerwall-progress-00.json');
  await writeFile(first, JSON.stringify({ progress: users.map(storedProgress) }));
  await writeFile(
    path.join(at, 'offerwall-transactions-00.json'),
    JSON.stringify({ transactions: users.map(storedTransaction) }),
  );
  const opened = await openLowdb(at);
  await opened.close();
  const kept = JSON.parse(await readFile(first, 'utf8')) as { progress: unknown[] };
  t.true(kept.progress.length < 20, 'the others moved out of the first shard');
  const { store, close } = await opened.reopen();
  t.teardown(close);
  t.is((await exported(store, 'offerwall.progress')).length, 20);
  for (const uid of users) {
    t.like(await store.progressOf('demo', uid), [{ sid3: `s-${uid}` }]);
    t.is((await store.recordEvent(postback(uid, `tx-${uid}`))).result, 'duplicate');
  }
});

test('lowdb: copies of one ban stored before adds were de-duplicated are one ban once opened', async (t) => {
  const at = path.join(dir, 'ban-copies');
  const first = await openLowdb(at);
  const ban = {
    id: 'first',
    appId: 'demo',
    type: 'user' as const,
    value: 'dupban',
    wallId: null,
    reason: 'r',
    createdAt: '2026-11-20T12:00:00.000Z',
  };
  await first.store.addBan(ban);
  await first.store.addBan({ ...ban, id: 'wall', wallId: 1001 });
  await first.close();
  // As the earlier versions wrote them: each add a copy.
  const file = path.join(at, 'offerwall-bans.json');
  const doc = JSON.parse(await readFile(file, 'utf8'));
  doc.bans.push({ ...ban, id: 'copy' }, { ...ban, id: 'copy-2' });
  await writeFile(file, JSON.stringify(doc));
  const second = await openLowdb(at);
  t.teardown(() => second.close());
  t.deepEqual(
    (await second.store.listBans('demo')).map((b) => b.id),
    ['first', 'wall'],
  );
  t.true(await second.store.removeBan('demo', 'first'));
  await second.store.flush?.();
  t.deepEqual(
    JSON.parse(await readFile(file, 'utf8')).bans.map((b: { id: string }) => b.id),
    ['wall'],
    'on disk with the next write',
  );
  t.deepEqual(
    await second.store.bansFor('demo', 'dupban').then((bs) => bs.filter((b) => b.wallId === null)),
    [],
  );
});
