import anyTest, { type TestFn } from 'ava';
import pg from 'pg';
import { runCli } from '../../src/cli/main.js';
import { startOfferdProcess, unscheduledConfig } from '../helpers/offerd-process.js';
import { usePostgres } from '../helpers/postgres-server.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * A schema a newer offerd migrated (a row 999 in offerd_migrations): `offerd migrate` said
 * "schema at version 303 (nothing to do)". It says the schema is newer (a downgrade) and exits
 * 0, and the service warns at start and still serves: a rolling deploy, or its rollback, runs
 * the older offerd on the newer schema, whose steps only add.
 */
const test = anyTest as TestFn;
const server = usePostgres(test);

test('offerd migrate and the service on a schema newer than the binary: said, warned, still served', async (t) => {
  const url = await server().freshDatabase('newer');
  const cli = async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['migrate'], { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out, err };
  };
  const saved = process.env.DATABASE_URL;
  process.env.DATABASE_URL = url;
  t.teardown(() => {
    if (saved === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved;
  });
  const first = await cli();
  t.is(first.code, 0, first.err.join('\n'));
  const known = Number(/schema at version (\d+)$/.exec(first.out.at(-1) ?? '')?.[1]);
  t.true(known > 0, first.out.join('\n'));

  const db = new pg.Client({ connectionString: url });
  await db.connect();
  await db.query("INSERT INTO offerd_migrations (version, name) VALUES (999, 'from a newer offerd')");
  await db.end();

  const again = await cli();
  t.is(again.code, 0, again.err.join('\n'));
  t.deepEqual(again.out, [
    `schema at version 999, newer than this offerd's ${known} (a downgrade): nothing applied; this offerd runs on it, since migrations only add`,
  ]);

  const p = await startOfferdProcess({
    OFFERD_STORE: 'postgres',
    DATABASE_URL: url,
    OFFERD_CONFIG: await unscheduledConfig(await tempDir(t, 'offerd-config-')),
  });
  t.teardown(() => p.stop());
  t.is((await fetch(`${p.url}/readyz`)).status, 200);
  t.regex(
    p.output(),
    new RegExp(`"schema":999,"offerd":${known}.*newer than this offerd's ${known} \\(a downgrade\\)`),
  );
});
