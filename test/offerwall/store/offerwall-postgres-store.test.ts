import test from 'ava';
import { openPostgresStore } from '../../../src/apis.js';
import { usePostgres } from '../../helpers/postgres-server.js';
import { offerwallStoreContract } from './offerwall-store-contract.js';

const server = usePostgres(test);

const openAt = async (url: string) => {
  const store = await openPostgresStore(url, { max: 20 });
  return { store: store.offerwall, close: () => store.close(), reopen: () => openAt(url) };
};

// A fresh database per store, so every contract case starts empty.
offerwallStoreContract(test, 'postgres', async () => openAt(await server().freshDatabase('offerwall')), {
  persistent: true,
});
