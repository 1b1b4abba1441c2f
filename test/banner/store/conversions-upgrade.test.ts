import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import anyTest, { type TestFn } from 'ava';
import pg from 'pg';
import { openDocumentStore, openPostgresStore } from '../../../src/apis.js';
import { BANNER_MIGRATIONS } from '../../../src/banner/store/banner-migrations.js';
import { migrate } from '../../../src/store/postgres/migrate.js';
import { usePostgres } from '../../helpers/postgres-server.js';

const test = anyTest as TestFn;
const server = usePostgres(test);

const T0 = Date.parse('2026-12-04T09:00:00.000Z');
const at = (minutes: number): string => new Date(T0 + minutes * 60_000).toISOString();
const purchase = (userId: string, minutes: number) => ({
  userId,
  name: 'Purchase',
  time: null,
  receivedAt: at(minutes),
  renderId: null,
  experimentId: null,
  variationId: null,
  value: null,
});

/** The store as a release before per-assignment conversions left it: no entries, no marker. */
function asWrittenBefore(dir: string): void {
  for (const file of readdirSync(dir).filter((f) => f.startsWith('banner-assignments'))) {
    const doc = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as {
      assignments: { values?: unknown }[];
    };
    for (const a of doc.assignments) delete a.values;
    writeFileSync(path.join(dir, file), JSON.stringify(doc));
  }
  writeFileSync(path.join(dir, 'banner-experiment-ends.json'), JSON.stringify({ ends: [] }));
}

// Before, a converter was read from the user's event stats; a store written then keeps its
// converters through the upgrade, once: the pass is not repeated at the next open, where it
// would credit what happened after a version's end.
test('lowdb: a store written before conversions were credited per assignment keeps its converters, once', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'offerd-conversions-upgrade-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const first = await openDocumentStore(dir);
  for (const user of ['buyer', 'idle']) {
    await first.banner.assign('app', {
      experimentId: 'legacy',
      bucketVersion: 1,
      userId: user,
      variationId: 1,
      assignedAt: at(0),
    });
  }
  await first.banner.track('app', [purchase('buyer', 5)]);
  await first.close();
  asWrittenBefore(dir);

  const second = await openDocumentStore(dir);
  const [tally] = await second.banner.tallies('app', 'legacy', 1);
  t.deepEqual(tally?.conversions, [{ event: 'Purchase', users: 1 }]);
  await second.banner.endVersions('app', [{ experimentId: 'legacy', bucketVersion: 1 }], new Date(at(10)));
  await second.banner.track('app', [purchase('idle', 12)]);
  await second.close();

  const third = await openDocumentStore(dir);
  t.teardown(() => third.close());
  const [after] = await third.banner.tallies('app', 'legacy', 1);
  t.deepEqual(after?.conversions, [{ event: 'Purchase', users: 1 }]);
});

test('postgres: migration 109 gives the assignments of a store written before it their converters', async (t) => {
  const url = await server().freshDatabase('upgrade');
  const pool = new pg.Pool({ connectionString: url });
  t.teardown(() => pool.end());
  await migrate(
    pool,
    BANNER_MIGRATIONS.filter((m) => m.version < 109),
  );
  // As an older release left them: a buyer after the assignment, one before it, one idle.
  await pool.query(
    `INSERT INTO banner_assignments (app_id, experiment_id, bucket_version, user_id, variation_id, assigned_at)
     SELECT 'app', 'legacy', 1, u, 1, $1 FROM unnest(ARRAY['buyer', 'earlier', 'idle']) AS u`,
    [at(0)],
  );
  await pool.query(
    `INSERT INTO banner_event_stats (app_id, user_id, name, count, last_at)
     VALUES ('app', 'buyer', 'Purchase', 1, $1), ('app', 'earlier', 'Purchase', 1, $2)`,
    [at(5), at(-5)],
  );
  const store = await openPostgresStore(url, { max: 2 });
  t.teardown(() => store.close());
  const [tally] = await store.banner.tallies('app', 'legacy', 1);
  t.deepEqual(tally?.conversions, [{ event: 'Purchase', users: 1 }]);
});
