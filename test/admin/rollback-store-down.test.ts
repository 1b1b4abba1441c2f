import { setTimeout as sleep } from 'node:timers/promises';
import anyTest, { type TestFn } from 'ava';
import { usePostgres } from '../helpers/postgres-server.js';
import {
  demoRules,
  rollback,
  sharedSetup,
  shipBannerVersion,
  startPair,
  until,
} from '../helpers/shared-rules-instances.js';

/**
 * A rollback while PostgreSQL is down answers 503 STORE_UNAVAILABLE, which says nothing was
 * decided: then nothing may have changed on any instance. Before, the instance called had
 * rolled back and pinned before the log write failed, and the others never followed.
 */
const test = anyTest as TestFn;
const server = usePostgres(test);

test('a rollback refused with 503 (database down) changes no instance; retried, it reaches both', async (t) => {
  const setup = await sharedSetup(t, await server().freshDatabase('rollbackdown'));
  const instances = await startPair(t, setup);
  const [a] = instances;
  const original = (await demoRules(a)).active.hash;
  const newer = await shipBannerVersion(instances, 77);

  server().halt();
  let resumed = false;
  t.teardown(() => {
    if (!resumed) server().resume();
  });
  const refused = await rollback(a, original);
  t.is(refused.status, 503);
  t.is(((await refused.json()) as { error?: { code?: string } }).error?.code, 'STORE_UNAVAILABLE');
  const serving = (s: Awaited<ReturnType<typeof demoRules>>) => s.active.hash === newer && s.pinned === null;
  t.true(serving(await demoRules(a)), 'the instance called did not roll back');

  server().resume();
  resumed = true;
  // A few of the followers' polls: nothing is in the log, so nothing moves.
  await sleep(1500);
  for (const s of await Promise.all(instances.map(demoRules))) t.true(serving(s), JSON.stringify(s));

  const retried = await rollback(a, original);
  t.is(retried.status, 200);
  await until(instances, (s) => s.active.hash === original && s.pinned?.hash === original);
});
