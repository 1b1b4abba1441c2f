/**
 * A start that cannot go on says what to do in one line, with no stack, and leaves nothing
 * held: a newcomer hit a raw EADDRINUSE stack (and a data dir lock left behind) for a port
 * in use, and a raw ENOENT stack for a catalog path relative to a copied config.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import test, { type ExecutionContext } from 'ava';
import { openDocumentStore } from '../../src/apis.js';
import { unscheduledConfig } from '../helpers/offerd-process.js';
import { tempDir } from '../helpers/temp-dir.js';

const STACK_LINE = /^\s+at\s/m;

/** `node src/main.ts` with `env`; resolves with its exit code and stderr once it exits. */
const start = (env: Record<string, string>) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    timeout: 120_000,
    env: { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'silent', HOST: '127.0.0.1', ...env },
  }).then(
    () => ({ code: 0, stderr: '' }),
    (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
  );

test('a port in use: one line naming it and PORT, exit 1, and the data dir is not left locked', async (t) => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  t.teardown(() => taken.close());
  const port = (taken.address() as { port: number }).port;
  const dataDir = await tempDir(t, 'offerd-data-');
  const config = await unscheduledConfig(await tempDir(t, 'offerd-config-'));
  const r = await start({ PORT: String(port), OFFERD_DATA_DIR: dataDir, OFFERD_CONFIG: config });
  t.is(r.code, 1, r.stderr);
  t.is(
    r.stderr,
    `offerd: failed to start: port ${port} on 127.0.0.1 is in use by another process: stop it, or set PORT to a free port\n`,
  );
  t.false(existsSync(path.join(dataDir, 'offerd.lock')), 'the lock is released');
});

test('a catalog the config names but that is not there: invalid configuration naming the wall, exit 2, no stack', async (t) => {
  const dir = await tempDir(t, 'offerd-config-');
  const config = await unscheduledConfig(dir);
  // A copy of the config away from its catalogs: the relative path no longer resolves.
  const moved = path.join(await tempDir(t, 'offerd-elsewhere-'), 'offerd.yaml');
  await writeFile(moved, await readFile(config, 'utf8'));
  const r = await start({
    PORT: '0',
    OFFERD_DATA_DIR: await tempDir(t, 'offerd-data-'),
    OFFERD_CONFIG: moved,
  });
  t.is(r.code, 2, r.stderr);
  t.regex(
    r.stderr,
    /^offerd: invalid configuration\napp 'demo' wall 1001 catalog: catalog .*ENOENT.*relative to the config file/,
  );
  t.notRegex(r.stderr, STACK_LINE);
});

/** Each bad setting the ops probe met: one line naming it (no stack), exit 2, never a hang. */
const BAD_SETTINGS: { env: (dataFile: string) => Record<string, string>; message: RegExp }[] = [
  {
    env: () => ({ LOG_LEVEL: 'verbose' }),
    message: /^LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got 'verbose'$/,
  },
  {
    env: () => ({ HOST: 'not.a.host.invalid' }),
    message: /^HOST 'not\.a\.host\.invalid' does not resolve to an address \(\w+\): set HOST to /,
  },
  {
    env: (file) => ({ OFFERD_DATA_DIR: file }),
    message: /^OFFERD_DATA_DIR: cannot use the data directory \/.*: it is not a directory \(ENOTDIR\)$/,
  },
  {
    env: (file) => ({ OFFERD_DATA_DIR: path.join(file, 'data') }),
    message: /^OFFERD_DATA_DIR: cannot use the data directory \/.*data: \/.* is not a directory \(ENOTDIR\)$/,
  },
  // Node's recursive mkdir looped forever there: the start hung.
  {
    env: () => ({ OFFERD_DATA_DIR: '/proc/offerd-test-data' }),
    message:
      /^OFFERD_DATA_DIR: cannot use the data directory \/proc\/offerd-test-data: it cannot be created there \(ENOENT\)$/,
  },
];

for (const [i, bad] of BAD_SETTINGS.entries()) {
  test(`a bad setting stops the start with one line naming it, exit 2 (${i + 1}: ${Object.keys(bad.env('f')).join()})`, async (t) => {
    const dataFile = path.join(await tempDir(t, 'offerd-file-'), 'a-file');
    await writeFile(dataFile, 'not a directory');
    const config = await unscheduledConfig(await tempDir(t, 'offerd-config-'));
    const r = await start({
      PORT: '0',
      OFFERD_DATA_DIR: await tempDir(t, 'offerd-data-'),
      OFFERD_CONFIG: config,
      ...bad.env(dataFile),
    });
    t.is(r.code, 2, r.stderr);
    const [first, second, ...rest] = r.stderr.trimEnd().split('\n');
    t.is(first, 'offerd: invalid configuration', r.stderr);
    t.regex(second ?? '', bad.message);
    t.deepEqual(rest, []);
    t.notRegex(r.stderr, STACK_LINE);
  });
}

/** Starts the service on `dataDir`, which a test has damaged: it must refuse. */
async function startOnDamaged(t: ExecutionContext, dataDir: string) {
  const config = await unscheduledConfig(await tempDir(t, 'offerd-config-'));
  return start({ PORT: '0', OFFERD_DATA_DIR: dataDir, OFFERD_CONFIG: config });
}

test('a truncated shard file: one line naming it, where the JSON stops and to restore the backup, exit 1, no stack', async (t) => {
  const dataDir = await tempDir(t, 'offerd-data-');
  const file = path.join(dataDir, 'banner-users-00.json');
  await writeFile(file, '{"users":[{"appId":"demo","userId":"u1","firstSe');
  const r = await startOnDamaged(t, dataDir);
  t.is(r.code, 1, r.stderr);
  t.regex(
    r.stderr,
    new RegExp(
      `^offerd: failed to start: ${file}: not valid JSON: cut short, it ends \\(character 48\\) inside the document\\. .*Restore the data dir from its backup`,
    ),
  );
  t.is(r.stderr.split('\n').length, 2, r.stderr);
  t.notRegex(r.stderr, STACK_LINE);
  t.is(
    await readFile(file, 'utf8'),
    '{"users":[{"appId":"demo","userId":"u1","firstSe',
    'the file is left as it was',
  );
});

test('a shard file with garbage inside: the character it stops at', async (t) => {
  const dataDir = await tempDir(t, 'offerd-data-');
  await writeFile(path.join(dataDir, 'banner-events-03.json'), '{"logs":[]}x');
  const r = await startOnDamaged(t, dataDir);
  t.is(r.code, 1, r.stderr);
  t.regex(r.stderr, /banner-events-03\.json: not valid JSON at character 11 of 12 /);
  t.notRegex(r.stderr, STACK_LINE);
});

test('a line in the middle of journeys-events.jsonl that is not JSON: refused naming file and line, not dropped', async (t) => {
  const dataDir = await tempDir(t, 'offerd-data-');
  const file = path.join(dataDir, 'journeys-events.jsonl');
  await writeFile(file, '[]\nGARBAGE LINE\n[]\n');
  const r = await startOnDamaged(t, dataDir);
  t.is(r.code, 1, r.stderr);
  t.regex(
    r.stderr,
    new RegExp(
      `^offerd: failed to start: ${file}: line 2 is not JSON \\("GARBAGE LINE"\\) and line 3 after it is: the file is damaged`,
    ),
  );
  t.notRegex(r.stderr, STACK_LINE);
  t.is(await readFile(file, 'utf8'), '[]\nGARBAGE LINE\n[]\n');
});

test('a shard file that is JSON but no document of its lists (null, a list, a list that is not one, a record that is not one): one line naming it and what is wrong, exit 1, no stack', async (t) => {
  for (const [text, what] of [
    ['null', 'holds null, not a document'],
    ['[]', 'holds a list, not a document'],
    ['{"users":"oops"}', '"users" is not a list'],
    ['{"users":[{"appId":"demo","userId":"u1"},1,null]}', '"users"\\[1\\] is not a record'],
  ] as const) {
    const dataDir = await tempDir(t, 'offerd-data-');
    const file = path.join(dataDir, 'banner-users-00.json');
    await writeFile(file, text);
    const r = await startOnDamaged(t, dataDir);
    t.is(r.code, 1, r.stderr);
    t.regex(
      r.stderr,
      new RegExp(`^offerd: failed to start: ${file}: ${what}\\. .*Restore the data dir from its backup`),
    );
    t.notRegex(r.stderr, STACK_LINE);
    t.is(await readFile(file, 'utf8'), text, 'the file is left as it was');
  }
  // A document of an earlier version, without a list its defaults have now, is read as empty there.
  const dataDir = await tempDir(t, 'offerd-data-');
  await writeFile(path.join(dataDir, 'banner-profiles-00.json'), '{"profiles":[]}');
  const store = await openDocumentStore(dataDir);
  t.is(await store.profiles.resolve('demo', 'u1'), 'u1', 'opened: no aliases list read as none');
  await store.close();
});
