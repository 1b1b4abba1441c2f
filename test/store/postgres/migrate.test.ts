import test from 'ava';
import pg from 'pg';
import { migrate } from '../../../src/store/postgres/migrate.js';
import { usePostgres } from '../../helpers/postgres-server.js';

const server = usePostgres(test);

const migrations = [
  { version: 1, name: 'things', sql: 'CREATE TABLE things (id int PRIMARY KEY)' },
  { version: 2, name: 'thing names', sql: 'ALTER TABLE things ADD COLUMN name text' },
];

test.serial('migrations apply once, in order, and concurrent starts migrate exactly once', async (t) => {
  const pools = [
    new pg.Pool({ connectionString: server().url }),
    new pg.Pool({ connectionString: server().url }),
  ];
  t.teardown(() => Promise.all(pools.map((p) => p.end())));
  const results = await Promise.all(pools.map((p) => migrate(p, migrations)));
  t.deepEqual(results.map((r) => r.applied.length).sort(), [0, 2]);
  const again = await migrate(pools[0] as pg.Pool, migrations);
  t.deepEqual(again.applied, []);
  const { rows } = await (pools[0] as pg.Pool).query(
    'SELECT version, name FROM offerd_migrations ORDER BY version',
  );
  t.deepEqual(rows, [
    { version: 1, name: 'things' },
    { version: 2, name: 'thing names' },
  ]);
});

test.serial('a failing migration leaves the schema as it was', async (t) => {
  const pool = new pg.Pool({ connectionString: server().url });
  t.teardown(() => pool.end());
  await migrate(pool, migrations);
  const broken = [
    ...migrations,
    { version: 3, name: 'ok', sql: 'CREATE TABLE more_things (id int)' },
    { version: 4, name: 'bad', sql: 'ALTER TABLE nope ADD x int' },
  ];
  await t.throwsAsync(() => migrate(pool, broken), { message: /nope/ });
  const { rows } = await pool.query(
    "SELECT to_regclass('more_things') AS t, (SELECT max(version) FROM offerd_migrations) AS v",
  );
  t.deepEqual(rows[0], { t: null, v: 2 });
});
