import test from 'ava';
import { openPostgresStore } from '../../../src/apis.js';
import { usePostgres } from '../../helpers/postgres-server.js';
import { journeysStoreContract } from './journeys-store-contract.js';
import { journeysUnstorableContract } from './journeys-unstorable-contract.js';
import { journeysUserBoundsContract } from './journeys-user-bounds-contract.js';

const server = usePostgres(test);

const openAt = async (url: string) => {
  const store = await openPostgresStore(url, { max: 20 });
  return { store: store.journeys, close: () => store.close(), reopen: () => openAt(url) };
};

// A fresh database per store, so every contract case starts empty.
const fresh = async () => openAt(await server().freshDatabase('journeys'));
journeysStoreContract(test, 'postgres', fresh, { persistent: true });
journeysUnstorableContract(test, 'postgres', fresh, { persistent: true });
journeysUserBoundsContract(test, 'postgres', fresh);
