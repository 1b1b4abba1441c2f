import anyTest, { type TestFn } from 'ava';
import { usePostgres } from '../helpers/postgres-server.js';
import {
  demoRules,
  reload,
  rollback,
  sharedSetup,
  shipBannerVersion,
  startInstance,
  startPair,
  until,
} from '../helpers/shared-rules-instances.js';

/**
 * An instance that starts (a scale-out, or a restart after a crash) while the others are
 * pinned to a rollback serves that rollback too, pinned, though its files on disk are newer
 * and it never loaded the rolled-back snapshot: all instances agree. Before, it served its
 * files, unpinned, until an operator noticed.
 */
const test = anyTest as TestFn;
const server = usePostgres(test);

test('an instance starting during a rollback joins it; after a reload it serves its files', async (t) => {
  const setup = await sharedSetup(t, await server().freshDatabase('catchup'));
  const instances = await startPair(t, setup);
  const [a, b] = instances;
  const original = (await demoRules(a)).active.hash;
  const newer = await shipBannerVersion(instances, 77);
  t.is((await rollback(a, original)).status, 200);
  await until(instances, (s) => s.active.hash === original && s.pinned?.hash === original);

  // Its rules dir is a copy of b's: the newer files, never the rolled-back ones.
  const c = await startInstance(t, setup, 'c', b.rulesDir);
  const joined = await demoRules(c);
  t.is(joined.active.hash, original);
  t.is(joined.pinned?.hash, original);

  // The reload ends the rollback everywhere: an instance starting after it serves its files.
  t.is((await reload(c)).status, 200);
  await until([a, b, c], (s) => s.active.hash === newer && s.pinned === null);
  const d = await startInstance(t, setup, 'd', b.rulesDir);
  const fresh = await demoRules(d);
  t.is(fresh.active.hash, newer);
  t.is(fresh.pinned, null);
});
