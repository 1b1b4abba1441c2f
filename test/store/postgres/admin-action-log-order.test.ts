import { setTimeout as sleep } from 'node:timers/promises';
import anyTest, { type TestFn } from 'ava';
import pg from 'pg';
import { openPostgresStore } from '../../../src/apis.js';
import { usePostgres } from '../../helpers/postgres-server.js';

/**
 * The admin action log is read as `seq > cursor`. An entry that takes its number first but
 * commits after a later one would be passed for good by a follower that read the later one
 * in between. Here the first entry is held between taking its number and committing (a
 * trigger waits on a lock the test holds) while a second entry is appended and the log read.
 */
const test = anyTest as TestFn;
const server = usePostgres(test);
const HELD = 4242;

test('a follower reading while an earlier entry is still uncommitted never passes it', async (t) => {
  const url = await server().freshDatabase('logorder');
  const [slowStore, fastStore] = await Promise.all([openPostgresStore(url), openPostgresStore(url)]);
  t.teardown(() => Promise.all([slowStore.close(), fastStore.close()]));
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  t.teardown(() => db.end());
  // Runs after the row took its number, in the appending transaction: it commits only once the test lets go.
  await db.query(`
    CREATE FUNCTION hold_slow() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.origin = 'slow' THEN PERFORM pg_advisory_xact_lock_shared(${HELD}); END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER hold_slow AFTER INSERT ON offerd_admin_actions FOR EACH ROW EXECUTE FUNCTION hold_slow();
  `);
  await db.query('SELECT pg_advisory_lock($1)', [HELD]);
  const lockWaiters = async (): Promise<number> =>
    (
      await db.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()",
      )
    ).rows[0].n;
  /** Until `done()` or `n` appends wait on a lock (5 s at most). */
  const settle = async (n: number, done = () => false) => {
    for (let i = 0; i < 200 && !done() && (await lockWaiters()) < n; i++) await sleep(25);
  };

  const slow = slowStore.adminActions.append({ kind: 'reload', appId: 'demo' }, 'slow', 0);
  await settle(1);
  t.is(await lockWaiters(), 1, 'the first append holds its number, uncommitted');
  let fastDone = false;
  const fast = fastStore.adminActions.append({ kind: 'reload', appId: null }, 'fast', 0).then((r) => {
    fastDone = true;
    return r;
  });
  // The second append either commits at once (numbers out of commit order) or waits its turn.
  await settle(2, () => fastDone);
  const firstRead = await fastStore.adminActions.after(0);
  const cursor = firstRead.at(-1)?.seq ?? 0;

  await db.query('SELECT pg_advisory_unlock($1)', [HELD]);
  await Promise.all([slow, fast]);
  const secondRead = await fastStore.adminActions.after(cursor);
  t.deepEqual(
    [...firstRead, ...secondRead].map((e) => e.origin).sort(),
    ['fast', 'slow'],
    'a follower reading twice saw every entry',
  );
});
