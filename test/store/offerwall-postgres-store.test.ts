import { randomBytes } from 'node:crypto';
import test from 'ava';
import pg from 'pg';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { type PostgresServer, startPostgres } from '../helpers/postgres-server.js';
import { offerwallStoreContract } from './contracts/offerwall-store-contract.js';

let server: PostgresServer;
test.before(async () => {
  server = await startPostgres();
});
test.after.always(async () => {
  await server?.stop();
});

/** A fresh database per store, so every contract case starts empty. */
async function freshDatabase(): Promise<string> {
  const name = `offerwall_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  return url.toString();
}

const openAt = async (url: string) => {
  const store = await PostgresStore.open(url, { max: 20 });
  return { store: store.offerwall, close: () => store.close(), reopen: () => openAt(url) };
};

offerwallStoreContract(test, 'postgres', async () => openAt(await freshDatabase()), { persistent: true });
