import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { openDocumentStore } from '../../../src/apis.js';
import { journeysStoreContract } from './journeys-store-contract.js';
import { journeysUnstorableContract } from './journeys-unstorable-contract.js';

const openMemory = async () => {
  const store = await openDocumentStore(null);
  return { store: store.journeys, close: () => store.close() };
};
journeysStoreContract(test, 'memory', openMemory);
journeysUnstorableContract(test, 'memory', openMemory);

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
