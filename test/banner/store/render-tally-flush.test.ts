import anyTest, { type TestFn } from 'ava';
import pg from 'pg';
import { openPostgresStore } from '../../../src/apis.js';
import { RenderTally } from '../../../src/banner/store/banner-postgres-renders.js';
import { BannerPostgresStore } from '../../../src/banner/store/banner-postgres-store.js';
import { visibleIn } from '../../../src/store/postgres/snapshot-visibility.js';
import { usePostgres } from '../../helpers/postgres-server.js';

const test = anyTest as TestFn;
const postgres = usePostgres(test);

const at = (s: number) => new Date(Date.UTC(2026, 11, 1, 12, 0, s));

async function migratedPool(t: { teardown(f: () => Promise<void>): void }): Promise<pg.Pool> {
  const migrated = await openPostgresStore(postgres().url, { max: 2 });
  await migrated.close();
  const pool = new pg.Pool({ connectionString: postgres().url, max: 6 });
  t.teardown(() => pool.end());
  return pool;
}

/** Resolves once some statement waits for a lock (the flush, behind the test's table lock). */
async function lockWaiter(pool: pg.Pool): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { rows } = await pool.query("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock'");
    if (rows.length > 0) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('the flush never waited for the lock');
}

// Serial: each test holds a table lock and watches for lock waits.

// CI once read renders 0 for 30 renders: the read ran while the one-second flush was
// writing, when the counts had left memory and were not yet committed.
test.serial(
  'a read while the render counters are being written counts them once: before and after the commit',
  async (t) => {
    const pool = await migratedPool(t);
    const tally = new RenderTally(pool, 60_000, (err) => t.fail(err.message));
    const store = new BannerPostgresStore(pool, tally);
    const exposure = { experimentId: 'busy', bucketVersion: 1, variationId: 1 };
    for (let s = 0; s < 3; s++) tally.add('app', 'u1', at(s), exposure);

    // Hold the write after its transaction began: the flush's upsert waits for this lock.
    const blocker = await pool.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE banner_exposures IN EXCLUSIVE MODE');
    const flushing = tally.flush();
    try {
      await lockWaiter(pool);
      t.like(await store.user('app', 'u1'), { renders: 3, firstSeenAt: at(0).toISOString() });
      t.like((await store.tallies('app', 'busy', 1))[0], { variationId: 1, exposures: 3 });
      tally.add('app', 'u1', at(9), exposure);
      t.like(await store.user('app', 'u1'), { renders: 4, lastSeenAt: at(9).toISOString() });
    } finally {
      await blocker.query('COMMIT');
      blocker.release();
    }
    await flushing;
    const { rows } = await pool.query(
      "SELECT renders FROM banner_users WHERE app_id = 'app' AND user_id = 'u1'",
    );
    t.is(rows[0]?.renders, 3, 'the first three are in the table now');
    t.like(await store.user('app', 'u1'), { renders: 4 }, 'and are not added again');
    t.like((await store.tallies('app', 'busy', 1))[0], { exposures: 4 });
    await tally.close();
    t.like(await store.user('app', 'u1'), { renders: 4 });
  },
);

test.serial(
  'a failed write puts its counts back: reads see them once, and the next write stores them',
  async (t) => {
    const pool = await migratedPool(t);
    const errors: string[] = [];
    const tally = new RenderTally(pool, 60_000, (err) => errors.push(err.message));
    const store = new BannerPostgresStore(pool, tally);
    tally.add('app', 'u2', at(0), null);
    const blocker = await pool.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE banner_exposures IN EXCLUSIVE MODE');
    const flushing = tally.flush();
    await lockWaiter(pool);
    await pool.query(
      "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()",
    );
    await t.throwsAsync(flushing);
    await blocker.query('ROLLBACK');
    blocker.release();
    t.like(await store.user('app', 'u2'), { renders: 1 });
    await tally.flush();
    t.like(await store.user('app', 'u2'), { renders: 1 });
    await tally.close();
  },
);

test.serial('visibleIn agrees with PostgreSQL on committed, running and later transactions', async (t) => {
  const pool = await migratedPool(t);
  const xidOf = async (c: pg.PoolClient) =>
    BigInt(((await c.query('SELECT pg_current_xact_id()::text AS x')).rows[0] as { x: string }).x);
  const done = await pool.connect();
  await done.query('BEGIN');
  const committed = await xidOf(done);
  await done.query('COMMIT');
  const open = await pool.connect();
  await open.query('BEGIN');
  const running = await xidOf(open);
  const snapshot = ((await pool.query('SELECT pg_current_snapshot()::text AS s')).rows[0] as { s: string }).s;
  const later = await pool.connect();
  await later.query('BEGIN');
  const afterwards = await xidOf(later);
  await later.query('COMMIT');
  await open.query('COMMIT');
  open.release();
  done.release();
  later.release();
  for (const xid of [committed, running, afterwards, 3n]) {
    const { rows } = await pool.query('SELECT pg_visible_in_snapshot($1::text::xid8, $2::pg_snapshot) AS v', [
      xid.toString(),
      snapshot,
    ]);
    t.is(visibleIn(snapshot, xid), (rows[0] as { v: boolean }).v, `xid ${xid} in ${snapshot}`);
  }
  t.true(visibleIn(snapshot, committed));
  t.false(visibleIn(snapshot, running));
  t.false(visibleIn(snapshot, afterwards));
});

test.serial(
  'a write whose COMMIT answers after the client gave up is asked about before its counts are written again: stored once',
  async (t) => {
    const pool = await migratedPool(t);
    // A commit that takes 1.5 s (a deferred trigger), against a client that waits 0.5 s.
    await pool.query(`CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN PERFORM pg_sleep(1.5); RETURN NULL; END $$`);
    await pool.query(`CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT OR UPDATE ON banner_users
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit()`);
    const impatient = new pg.Pool({ connectionString: postgres().url, max: 4, query_timeout: 500 });
    t.teardown(() => impatient.end());
    const tally = new RenderTally(impatient, 60_000, (err) => t.log(err.message));
    const store = new BannerPostgresStore(pool, tally);
    for (let s = 0; s < 5; s++) tally.add('app', 'late', at(s), null);
    await t.throwsAsync(tally.flush(), { message: /timeout/i });
    const stored = async () =>
      (await pool.query("SELECT renders FROM banner_users WHERE app_id = 'app' AND user_id = 'late'")).rows[0]
        ?.renders as number | undefined;
    while ((await stored()) === undefined) await new Promise((r) => setTimeout(r, 100));
    t.is(await stored(), 5, 'the database has the five');
    t.like(await store.user('app', 'late'), { renders: 5 }, 'read meanwhile: once');
    await pool.query('DROP TRIGGER slow_commit ON banner_users');
    tally.add('app', 'late', at(9), null);
    await tally.close();
    t.is(await stored(), 6, 'the next write asked, and wrote only the new render');
    t.like(await store.user('app', 'late'), { renders: 6 });
  },
);
