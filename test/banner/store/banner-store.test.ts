import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import anyTest, { type TestFn } from 'ava';
import { openDocumentStore, openPostgresStore } from '../../../src/apis.js';
import { usePostgres } from '../../helpers/postgres-server.js';
import { bannerStoreContract, bannerStoreSurvivesReopen } from './banner-store-contract.js';
import { enrollmentDayContract } from './enrollment-day-contract.js';
import { eventNameCapContract } from './event-name-cap-contract.js';
import { experimentWindowContract } from './experiment-window-contract.js';
import { revenueTallyContract } from './revenue-tally-contract.js';
import { signInAdoptContract } from './sign-in-adopt-contract.js';

const test = anyTest as TestFn;

async function openDocument(dir: string | null) {
  const store = await openDocumentStore(dir);
  return { store: store.banner, close: () => store.close() };
}

// One root for every lowdb store of this file; each store gets a fresh directory below it.
const root = mkdtempSync(path.join(os.tmpdir(), 'offerd-banner-store-'));
const freshDir = () => mkdtempSync(path.join(root, 'db-'));
test.after.always(() => rmSync(root, { recursive: true, force: true }));

async function openBoth(dir: string | null) {
  const store = await openDocumentStore(dir);
  return { banner: store.banner, profiles: store.profiles, close: () => store.close() };
}

bannerStoreContract(test, 'memory', () => openDocument(null));
enrollmentDayContract(test, 'memory', () => openDocument(null));
eventNameCapContract(test, 'memory', () => openDocument(null));
eventNameCapContract(test, 'lowdb', () => openDocument(freshDir()));
experimentWindowContract(test, 'memory', () => openDocument(null));
experimentWindowContract(test, 'lowdb', () => openDocument(freshDir()));
revenueTallyContract(test, 'memory', () => openBoth(null));
revenueTallyContract(test, 'lowdb', () => openBoth(freshDir()));
signInAdoptContract(test, 'memory', () => openBoth(null));
signInAdoptContract(test, 'lowdb', () => openBoth(freshDir()));
bannerStoreContract(test, 'lowdb', () => openDocument(freshDir()));
enrollmentDayContract(test, 'lowdb', () => openDocument(freshDir()));
bannerStoreSurvivesReopen(test, 'lowdb', async () => {
  const dir = freshDir();
  return () => openDocument(dir);
});

// Banner cases use unique user ids, so they share one database.
const pg = usePostgres(test);
const openPostgres = async () => {
  const store = await openPostgresStore(pg().url, { max: 4 });
  return { store: store.banner, close: () => store.close() };
};
bannerStoreContract(test, 'postgres', openPostgres);
enrollmentDayContract(test, 'postgres', openPostgres);
eventNameCapContract(test, 'postgres', openPostgres);
experimentWindowContract(test, 'postgres', openPostgres);
revenueTallyContract(test, 'postgres', async () => {
  const store = await openPostgresStore(pg().url, { max: 4 });
  return { banner: store.banner, profiles: store.profiles, close: () => store.close() };
});
signInAdoptContract(test, 'postgres', async () => {
  const store = await openPostgresStore(pg().url, { max: 4 });
  return { banner: store.banner, profiles: store.profiles, close: () => store.close() };
});
bannerStoreSurvivesReopen(test, 'postgres', async () => openPostgres);

test("postgres: a sign-in's link checks and merges the new id's stored rows in its own transaction", async (t) => {
  const T0 = Date.parse('2026-11-21T09:00:00.000Z');
  const at = (minutes: number) => new Date(T0 + minutes * 60_000);
  const [anon, old, fresh, tracked, exp] = ['anon', 'old', 'fresh', 'tracked', 'exp'].map(
    (n) => `signin-${n}-${process.pid}`,
  ) as [string, string, string, string, string];
  const first = await openPostgresStore(pg().url, { max: 2 });
  for (const [id, minutes] of [
    [anon, 0],
    [old, 0],
    [fresh, 20],
    [tracked, 20],
  ] as const) {
    await first.banner.recordRender('app', id, at(minutes), null);
  }
  await first.banner.assign('app', {
    experimentId: exp,
    bucketVersion: 1,
    userId: fresh,
    variationId: 1,
    assignedAt: at(20).toISOString(),
  });
  const event = { name: 'Opened', time: null, receivedAt: at(20).toISOString(), renderId: null };
  await first.banner.track('app', [
    { ...event, userId: tracked, experimentId: null, variationId: null, value: null },
  ]);
  await first.close(); // the renders written: the link reads rows, not another instance's memory
  const { banner, profiles, close } = await openPostgresStore(pg().url, { max: 2 });
  t.teardown(close);
  // Straight to the store, past SdkService's pre-check: ADOPT_TAKEN alone refuses them.
  t.is(await profiles.alias('app', old, anon, true, [], at(15)), null, 'first seen before the window');
  t.is(await profiles.alias('app', tracked, anon, true, [], at(15)), null, 'with a tracked event');
  t.is(await profiles.alias('app', fresh, anon, true, [], at(15)), anon);
  t.like(await banner.user('app', anon), {
    firstSeenAt: at(0).toISOString(),
    lastSeenAt: at(20).toISOString(),
    renders: 2,
  });
  t.is(await banner.user('app', fresh), null);
  t.deepEqual(
    (await banner.assignments('app', anon)).map((a) => [a.experimentId, a.variationId]),
    [[exp, 1]],
  );
});
