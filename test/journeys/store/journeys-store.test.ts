import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { openDocumentStore } from '../../../src/apis.js';
import { journeysStoreContract } from './journeys-store-contract.js';
import { journeysUnstorableContract } from './journeys-unstorable-contract.js';
import { journeysUserBoundsContract } from './journeys-user-bounds-contract.js';

const openMemory = async () => {
  const store = await openDocumentStore(null);
  return { store: store.journeys, close: () => store.close() };
};
journeysStoreContract(test, 'memory', openMemory);
journeysUnstorableContract(test, 'memory', openMemory);
journeysUserBoundsContract(test, 'memory', openMemory);

let dir = '';
test.before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'offerd-journeys-store-'));
});
test.after.always(async () => {
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
const openLowdb = async (at = path.join(dir, String(n++))) => {
  const store = await openDocumentStore(at);
  return { store: store.journeys, close: () => store.close(), reopen: () => openLowdb(at) };
};

journeysStoreContract(test, 'lowdb', () => openLowdb(), { persistent: true });
journeysUnstorableContract(test, 'lowdb', () => openLowdb(), { persistent: true });
journeysUserBoundsContract(test, 'lowdb', () => openLowdb());

// On disk: shards are what it commits one at a time (in memory a store has one shard).
test('document store: a createOffers over many users lets other work in before it ends; results in input order', async (t) => {
  const { store, close } = await openLowdb();
  t.teardown(close);
  const p = { appId: 'demo', environment: 'test' as const };
  const now = new Date('2026-11-20T12:00:00.000Z');
  const users = Array.from({ length: 200 }, (_, i) => `u${i}`);
  for (const u of users) await store.upsertUser(p, { externalId: u }, now, () => `id-${u}`);
  const offer = (externalId: string) => ({
    id: `offer-${externalId}`,
    externalId,
    offerType: 'welcome_bonus',
    gameType: null,
    title: 'Welcome',
    description: 'Hello',
    pointsValue: 100,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + 86_400_000).toISOString(),
    metadata: {},
    notOfferedSince: null,
  });
  const offers = [...users.slice(0, 100), 'nobody', ...users.slice(100)].map(offer);
  const limits = { maxActiveOffers: 3, maxActivePerType: 1, inactivityDays: 60 };
  let ended = false;
  const call = store.createOffers(p, offers, limits, now).finally(() => {
    ended = true;
  });
  // A generation run hands the store all its offers at once: requests must get a turn.
  const endedBeforeOtherWork = await new Promise<boolean>((resolve) => setImmediate(() => resolve(ended)));
  t.false(endedBeforeOtherWork);
  const { created, rejected } = await call;
  t.deepEqual(
    created.map((o) => o.externalId),
    users,
  );
  t.deepEqual(
    rejected.map((r) => [r.offer.externalId, r.reason]),
    [['nobody', 'unknown_user']],
  );
});
