/**
 * A PostgreSQL start-up that cannot go on says so in one line naming DATABASE_URL, with its
 * password masked and no stack, exit 2 like the other configuration errors; a failing migration
 * names itself (exit 1). Before, each printed `offerd: failed to start: <pg error>` and a stack,
 * naming no setting ('not a url at all' read "getaddrinfo ENOTFOUND base").
 */
import { execFile } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { promisify } from 'node:util';
import anyTest, { type TestFn } from 'ava';
import pg from 'pg';
import { unscheduledConfig } from '../helpers/offerd-process.js';
import { freePort, usePostgres } from '../helpers/postgres-server.js';
import { tempDir } from '../helpers/temp-dir.js';

const test = anyTest as TestFn;
const server = usePostgres(test);
const STACK_LINE = /^\s+at\s/m;

/** `node src/main.ts` on PostgreSQL at `url`; resolves with its exit code and stderr once it exits. */
const start = (url: string, config: string) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    timeout: 120_000,
    env: {
      ...process.env,
      NODE_ENV: 'development',
      LOG_LEVEL: 'silent',
      HOST: '127.0.0.1',
      PORT: '0',
      OFFERD_STORE: 'postgres',
      OFFERD_PG_CONNECT_TIMEOUT_MS: '700',
      OFFERD_CONFIG: config,
      DATABASE_URL: url,
    },
  }).then(
    () => ({ code: 0, stderr: '' }),
    (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
  );

test('each way DATABASE_URL can be wrong: one line naming it and what is wrong, password masked, exit 2', async (t) => {
  const config = await unscheduledConfig(await tempDir(t, 'offerd-config-'));
  const real = new URL(server().url);
  const at = (change: (u: URL) => void) => {
    const u = new URL(real);
    u.password = 'secret';
    change(u);
    return u.toString();
  };
  const cases: [string, string, RegExp][] = [
    [
      'unknown database, the password given as a parameter',
      at((u) => {
        u.pathname = '/nope_db';
        u.password = '';
        u.searchParams.set('password', 'secret');
      }),
      /database "nope_db" does not exist/,
    ],
    [
      'unknown database',
      at((u) => {
        u.pathname = '/nope_db';
      }),
      /database "nope_db" does not exist/,
    ],
    [
      'unknown role',
      at((u) => {
        u.username = 'nobody';
      }),
      /role "nobody" does not exist: check the user and password/,
    ],
    [
      'unresolvable host',
      at((u) => {
        u.hostname = 'no-such-host.invalid';
      }),
      /host 'no-such-host\.invalid' does not resolve/,
    ],
    ['bad port', 'postgres://offerd:secret@127.0.0.1:99999/offerd', /not a valid connection URL/],
    ['not a url', 'not a url at all secret', /not a valid connection URL|not a PostgreSQL connection URL/],
    [
      'another scheme',
      'mysql://offerd:secret@127.0.0.1/offerd',
      /not a PostgreSQL connection URL: it starts with 'mysql:'/,
    ],
  ];
  const results = await Promise.all(cases.map(([, url]) => start(url, config)));
  cases.forEach(([what, , expected], i) => {
    const r = results[i] as { code: number; stderr: string };
    t.is(r.code, 2, `${what}: ${r.stderr}`);
    t.regex(r.stderr, /^offerd: invalid configuration\nDATABASE_URL[ :]/, what);
    t.regex(r.stderr, expected, what);
    t.notRegex(r.stderr, STACK_LINE, what);
    t.false(r.stderr.includes('secret'), `${what}: the password is printed: ${r.stderr}`);
    t.is(r.stderr.trim().split('\n').length, 2, `${what}: ${r.stderr}`);
  });
});

// Crash probe: a restart while PostgreSQL restarted (refused) or was full of connections said
// "invalid configuration" and exited 2, which supervisors read as "do not restart".
test('a database that does not answer yet is no configuration error: one line saying so, exit 1, so that a supervisor starts offerd again', async (t) => {
  const config = await unscheduledConfig(await tempDir(t, 'offerd-config-'));
  const sockets: Socket[] = [];
  const silent = createServer((s) => sockets.push(s));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    silent.close();
  });
  const real = new URL(server().url);
  const at = (port: number) => {
    const u = new URL(real);
    u.password = 'secret';
    u.port = String(port);
    return u.toString();
  };
  const cases: [string, string, RegExp][] = [
    [
      'connection refused',
      at(await freePort()),
      /connection refused at 127\.0\.0\.1:\d+: is PostgreSQL running there/,
    ],
    [
      'a host that never answers',
      at((silent.address() as { port: number }).port),
      /no answer within 700 ms \(OFFERD_PG_CONNECT_TIMEOUT_MS\)/,
    ],
    // A local server on a Unix socket that is down: its socket file is gone (focused probe).
    [
      'a Unix socket with no server',
      `postgres://offerd:secret@/offerd?host=${await tempDir(t, 'offerd-nosocket-')}`,
      /ENOENT/,
    ],
  ];
  const results = await Promise.all(cases.map(([, url]) => start(url, config)));
  cases.forEach(([what, , expected], i) => {
    const r = results[i] as { code: number; stderr: string };
    t.is(r.code, 1, `${what}: ${r.stderr}`);
    t.regex(r.stderr, /^offerd: failed to start: DATABASE_URL \(/, what);
    t.regex(r.stderr, expected, what);
    t.regex(r.stderr, /the database may be down or restarting: start offerd again once it answers\n$/, what);
    t.notRegex(r.stderr, STACK_LINE, what);
    t.false(r.stderr.includes('secret'), `${what}: the password is printed: ${r.stderr}`);
  });
});

test('a failing migration names its version and name, no stack, exit 1', async (t) => {
  const config = await unscheduledConfig(await tempDir(t, 'offerd-config-'));
  const url = await server().freshDatabase('badmigration');
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  // What migration 1 creates, already there: it fails.
  await db.query('CREATE TABLE offerwall_catalogs (x int)');
  await db.end();
  const r = await start(url, config);
  t.is(r.code, 1, r.stderr);
  t.regex(
    r.stderr,
    /^offerd: failed to start: migration 1 \(offerwall\) failed: relation "offerwall_catalogs" already exists; nothing was applied, the schema is as it was\n$/,
  );
});
