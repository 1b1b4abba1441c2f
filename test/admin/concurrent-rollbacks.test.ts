import anyTest, { type TestFn } from 'ava';
import pg from 'pg';
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
 * Two rollbacks at the same moment, one to each of two instances: every instance must end on
 * the rollback the shared log holds last. Before, each applied its own action first and the
 * other's from the log after it, skipping its own entry: A ended on B's hash and B on A's.
 */
const test = anyTest as TestFn;
const server = usePostgres(test);

test('two rollbacks at once on two instances: both end pinned to the last one in the log', async (t) => {
  const setup = await sharedSetup(t, await server().freshDatabase('rollbacks'));
  const instances = await startPair(t, setup);
  const [a, b] = instances;
  const original = (await demoRules(a)).active.hash;
  const v77 = await shipBannerVersion(instances, 77);
  await shipBannerVersion(instances, 78);

  const db = new pg.Client({ connectionString: setup.url });
  await db.connect();
  t.teardown(() => db.end());
  const lastLogged = async () =>
    String(
      (
        await db.query(
          "SELECT hash FROM offerd_admin_actions WHERE kind = 'rollback' ORDER BY seq DESC LIMIT 1",
        )
      ).rows[0]?.hash,
    );

  for (let round = 0; round < 20; round++) {
    const [toA, toB] = round % 2 === 0 ? [original, v77] : [v77, original];
    const answers = await Promise.all([rollback(a, toA), rollback(b, toB)]);
    t.deepEqual(
      answers.map((r) => r.status),
      [200, 200],
    );
    const last = await lastLogged();
    await until(instances, (s) => s.active.hash === last && s.pinned?.hash === last, 5000).catch((err) => {
      throw new Error(`round ${round}: ${(err as Error).message}`);
    });
  }
  t.pass();
});
