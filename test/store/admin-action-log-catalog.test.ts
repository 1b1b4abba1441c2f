import anyTest, { type TestFn } from 'ava';
import { openPostgresStore } from '../../src/apis.js';
import type { ActionLog, SharedAction } from '../../src/store/admin-action-log.js';
import { AdminActionFile } from '../../src/store/document/admin-action-file.js';
import { usePostgres } from '../helpers/postgres-server.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * Both admin action logs (the embedded store's file, PostgreSQL's table) hold a catalog
 * sync as an entry every instance reads, and it ends no rollback: only a reload does.
 */
const test = anyTest as TestFn;
const server = usePostgres(test);

const rollback: SharedAction = {
  kind: 'rollback',
  appId: 'demo',
  hash: 'h1',
  files: [{ name: 'banner.yaml', text: 'version: 1\n' }],
};
const catalog: SharedAction = { kind: 'catalog', appId: 'demo', wallId: 1001 };

async function holdsCatalogSyncs(log: ActionLog): Promise<SharedAction[][]> {
  await log.append(rollback, 'a', 0);
  const appended = await log.append(catalog, 'a', 1);
  const read = await log.after(1);
  const { rollbacks } = await log.current();
  return [appended.map((e) => e.action), read.map((e) => e.action), rollbacks.map((e) => e.action)];
}

test('embedded: a catalog sync is read back with its wall and ends no rollback; a reopen keeps only the rollback', async (t) => {
  const dir = await tempDir(t);
  const log = await AdminActionFile.open(dir);
  t.deepEqual(await holdsCatalogSyncs(log), [[catalog], [catalog], [rollback]]);
  const reopened = await (await AdminActionFile.open(dir)).current();
  t.deepEqual(
    reopened.rollbacks.map((e) => e.action),
    [rollback],
  );
  t.is(reopened.head, 1);
});

test('postgres: a catalog sync is read back with its wall and ends no rollback', async (t) => {
  const store = await openPostgresStore(await server().freshDatabase('catalogentry'));
  t.teardown(() => store.close());
  t.deepEqual(await holdsCatalogSyncs(store.adminActions), [[catalog], [catalog], [rollback]]);
});
