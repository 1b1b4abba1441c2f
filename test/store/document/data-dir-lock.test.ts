import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { openDocumentStore } from '../../../src/apis.js';
import {
  DataDirLockedError,
  DataDirUnusableError,
  LOCK_FILE,
} from '../../../src/store/document/data-dir-lock.js';
import { currentProcess } from '../../../src/store/document/process-identity.js';
import { holdDataDir } from '../../helpers/data-dir-holder.js';
import { tempDir } from '../../helpers/temp-dir.js';

const lockOf = async (dir: string) =>
  JSON.parse(await readFile(path.join(dir, LOCK_FILE), 'utf8')) as { pid: number };

test('a second process opening a data dir in use is refused, told the dir, the pid and what to do', async (t) => {
  const dir = await tempDir(t);
  const holder = await holdDataDir(dir, t.teardown);
  const err = await t.throwsAsync(openDocumentStore(dir), { instanceOf: DataDirLockedError });
  t.regex(err?.message ?? '', new RegExp(`data directory ${dir} is in use by offerd process ${holder.pid} `));
  t.regex(err?.message ?? '', /stop that process first, or use PostgreSQL/);
  t.is((await lockOf(dir)).pid, holder.pid, 'the refused open left the lock alone');
});

test('the lock of a process killed with kill -9 is taken over, with what it had stored', async (t) => {
  const dir = await tempDir(t);
  const holder = await holdDataDir(dir, t.teardown);
  holder.child.kill('SIGKILL');
  await holder.exited;
  const store = await openDocumentStore(dir);
  t.teardown(() => store.close());
  t.deepEqual(await store.profiles.profile('demo', 'user', 'held'), { by: holder.pid });
  t.is((await lockOf(dir)).pid, process.pid);
});

test('close releases the dir: the lock file is gone and another process can open it', async (t) => {
  const dir = await tempDir(t);
  const store = await openDocumentStore(dir);
  t.true(existsSync(path.join(dir, LOCK_FILE)));
  await store.close();
  t.false(existsSync(path.join(dir, LOCK_FILE)));
  const other = await holdDataDir(dir, t.teardown);
  other.child.kill('SIGTERM');
  await other.exited;
  t.false(existsSync(path.join(dir, LOCK_FILE)), 'its SIGTERM closed the store, releasing the lock');
});

test('a directory where the lock file should be: refused naming it and what to do, not a raw EISDIR', async (t) => {
  const dir = await tempDir(t);
  await mkdir(path.join(dir, LOCK_FILE));
  const err = await t.throwsAsync(openDocumentStore(dir), { instanceOf: DataDirUnusableError });
  t.is(
    err?.message,
    `cannot use the data directory ${dir}: ${path.join(dir, LOCK_FILE)} is a directory where offerd keeps its lock file: move it out of the data dir`,
  );
});

test('in one process: a second open before close is refused, a reopen after close works', async (t) => {
  const dir = await tempDir(t);
  const first = await openDocumentStore(dir);
  await first.profiles.update('demo', [
    { kind: 'user', id: 'u', operations: [{ op: '$set', values: { a: 1 } }] },
  ]);
  const err = await t.throwsAsync(openDocumentStore(dir), { instanceOf: DataDirLockedError });
  t.regex(err?.message ?? '', new RegExp(`already open in this process \\(pid ${process.pid}\\)`));
  await first.close();
  const again = await openDocumentStore(dir);
  t.teardown(() => again.close());
  t.deepEqual(await again.profiles.profile('demo', 'user', 'u'), { a: 1 });
});

test('a lock naming a pid now used by an unrelated process (another start time) is taken over', async (t) => {
  const me = await currentProcess();
  if (me.startTime === null) return t.pass('no /proc here: the pid alone decides');
  const dir = await tempDir(t);
  // A live process that is not the holder: the lock says it started at another time.
  const unrelated = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  t.teardown(() => unrelated.kill('SIGKILL'));
  await once(unrelated, 'spawn');
  const stale = {
    ...me,
    pid: unrelated.pid,
    startTime: '1',
    lockedAt: '2026-01-01T00:00:00.000Z',
    token: 'x',
  };
  await writeFile(path.join(dir, LOCK_FILE), JSON.stringify(stale));
  const store = await openDocumentStore(dir);
  t.teardown(() => store.close());
  t.is((await lockOf(dir)).pid, process.pid);
});

test('a lock held on another host is not taken over: the error says which file to delete', async (t) => {
  const dir = await tempDir(t);
  const elsewhere = {
    ...(await currentProcess()),
    hostname: 'some-other-host',
    lockedAt: '2026-01-01T00:00:00.000Z',
    token: 'x',
  };
  await writeFile(path.join(dir, LOCK_FILE), JSON.stringify(elsewhere));
  const err = await t.throwsAsync(openDocumentStore(dir), { instanceOf: DataDirLockedError });
  t.regex(err?.message ?? '', /on host some-other-host .*delete .*offerd\.lock/);
});

test('temp files of writes a kill cut short are removed on open; the data stays', async (t) => {
  const dir = await tempDir(t);
  const first = await openDocumentStore(dir);
  await first.profiles.update('demo', [
    { kind: 'user', id: 'u', operations: [{ op: '$set', values: { a: 1 } }] },
  ]);
  await first.close();
  const shard = (await readdir(dir)).find((n) => n.startsWith('banner-profiles-'));
  if (!shard) throw new Error('no profile shard written');
  // What writeFileDurably leaves when killed before its rename: a whole or torn new version.
  const leftovers = [`.${shard}.0123456789ab.tmp`, '.banner-insert-ids.jsonl.ba9876543210.tmp'];
  for (const name of leftovers) await writeFile(path.join(dir, name), '{"torn":');
  const kept = ['notes.tmp', '.hidden'];
  for (const name of kept) await writeFile(path.join(dir, name), 'not ours');
  const store = await openDocumentStore(dir);
  t.teardown(() => store.close());
  const names = await readdir(dir);
  for (const name of leftovers) t.false(names.includes(name), `${name} removed`);
  for (const name of kept) t.true(names.includes(name), `${name} is not a temp file of ours: kept`);
  t.deepEqual(await store.profiles.profile('demo', 'user', 'u'), { a: 1 });
});
