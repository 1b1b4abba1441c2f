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
