import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import anyTest, { type TestFn } from 'ava';
import { usePostgres } from '../helpers/postgres-server.js';
import {
  demoRules,
  reload,
  rollback,
  sharedSetup,
  shipBannerVersion,
  startPair,
  until,
  writeBannerVersion,
} from '../helpers/shared-rules-instances.js';

/**
 * A cluster-wide reload whose files fail to load on one instance still ends the rollback
 * there: it serves its last good rules unpinned, says why in lastError, and its fixed file
 * goes live by the watcher as on any unpinned instance. Before, that instance stayed pinned
 * to the rollback for good while the others served their files, and restarted it served its
 * files too: a running and a restarted instance disagreed (operator probe on PostgreSQL 15).
 */
const test = anyTest as TestFn;
const server = usePostgres(test);

test('a reload that fails on one instance unpins it too; its fixed file goes live by the watcher', async (t) => {
  const setup = await sharedSetup(t, await server().freshDatabase('reloadfail'));
  const instances = await startPair(t, setup);
  const [a, b] = instances;
  const original = (await demoRules(a)).active.hash;
  await shipBannerVersion(instances, 4);
  t.is((await rollback(a, original)).status, 200);
  await until(instances, (s) => s.active.hash === original && s.pinned?.hash === original);

  await writeBannerVersion(a, 5);
  await writeFile(path.join(b.rulesDir, 'demo', 'banner.yaml'), 'version: 5\n  - id: [broken\n');
  t.is((await reload(a)).status, 200);
  const v5 = (await demoRules(a)).active.hash;
  t.not(v5, original);
  await until([b], (s) => s.pinned === null);
  const failed = await demoRules(b);
  t.is(failed.active.hash, original, 'b keeps serving its last good rules');
  const status = (await (
    await b.service.fetch('/admin/rules', { headers: { Authorization: 'Bearer demo-admin-token' } })
  ).json()) as {
    apps: { appId: string; lastError: { problems: string[] } | null }[];
  };
  t.regex(status.apps.find((s) => s.appId === 'demo')?.lastError?.problems[0] ?? '', /banner\.yaml/);

  // The fix, as the watcher sees it: live without another POST /admin/rules/reload.
  await writeBannerVersion(b, 5);
  const [fixed] = await b.service.registry.reload('demo', 'watch');
  t.is(fixed?.result, 'activated');
  t.is((await demoRules(b)).active.hash, v5);
});
