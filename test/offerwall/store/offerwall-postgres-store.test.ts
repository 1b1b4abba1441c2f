import test from 'ava';
import pg from 'pg';
import { openPostgresStore } from '../../../src/apis.js';
import { OFFERWALL_MIGRATION } from '../../../src/offerwall/store/offerwall-migration.js';
import { migrate } from '../../../src/store/postgres/migrate.js';
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

test('migration 2 keeps the oldest of the copies of a ban already stored, then refuses copies', async (t) => {
  const url = await server().freshDatabase('offerwall_m2');
  // The schema as migration 1 left it, holding copies of one ban (each add stored one).
  const pool = new pg.Pool({ connectionString: url });
  try {
    await migrate(pool, [OFFERWALL_MIGRATION]);
    await pool.query(`INSERT INTO offerwall_bans (app_id, id, type, value, wall_id, reason, created_at)
      VALUES ('demo', 'first', 'user', 'dupban', null, 'r', now()),
             ('demo', 'copy', 'user', 'dupban', null, 'r', now()),
             ('demo', 'wall', 'user', 'dupban', 1001, 'r', now()),
             ('demo', 'ip', 'ip', '10.0.0.0/8', null, 'r', now()),
             ('demo', 'ip-copy', 'ip', '10.0.0.0/8', null, 'r', now()),
             ('other', 'elsewhere', 'user', 'dupban', null, 'r', now())`);
  } finally {
    await pool.end();
  }
  const opened = await openPostgresStore(url, { max: 4 });
  t.teardown(() => opened.close());
  t.true(opened.migrations.applied.some((m) => m.version === 2));
  const s = opened.offerwall;
  t.deepEqual(
    (await s.listBans('demo')).map((b) => b.id),
    ['first', 'wall', 'ip'],
  );
  t.deepEqual(
    (await s.listBans('other')).map((b) => b.id),
    ['elsewhere'],
  );
  const again = await s.addBan({
    id: 'new',
    appId: 'demo',
    type: 'user',
    value: 'dupban',
    wallId: null,
    reason: 'again',
    createdAt: new Date().toISOString(),
  });
  t.like(again, { created: false, ban: { id: 'first' } });
});
