import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { openDocumentStore } from '../../../src/apis.js';
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
