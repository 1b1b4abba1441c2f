import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import test from 'ava';

test('offerd migrate against a database that refuses connections exits 1 (retry), as the service start does, not 2 (configuration)', async (t) => {
  // Nothing listens on 19301 (the port range this suite's servers keep out of).
  const r = await promisify(execFile)(process.execPath, ['bin/offerd.js', 'migrate'], {
    timeout: 120_000,
    env: {
      ...process.env,
      DATABASE_URL: 'postgres://u:p@127.0.0.1:19301/db',
      OFFERD_PG_CONNECT_TIMEOUT_MS: '5000',
    },
  }).then(
    () => ({ code: 0, stderr: '' }),
    (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
  );
  t.is(r.code, 1, r.stderr);
  t.regex(
    r.stderr,
    /^offerd migrate: DATABASE_URL \(postgres:\/\/u:\*\*\*@127\.0\.0\.1:19301\/db\): connection refused/,
  );
  t.regex(r.stderr, /the database may be down or restarting: run offerd migrate again once it answers\n$/);
});
