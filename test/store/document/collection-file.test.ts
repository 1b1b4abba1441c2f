import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { CollectionFile } from '../../../src/store/document/collection-file.js';

async function tempDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'offerd-collection-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

interface Users {
  users: Record<string, { name: string }>;
}

const defaults = (): Users => ({ users: {} });

test('data persists across reopen', async (t) => {
  const dir = await tempDir(t);
  const first = await CollectionFile.open<Users>(dir, 'users', defaults());
  t.deepEqual(first.data, { users: {} });
  first.data.users.u1 = { name: 'Ada' };
  await first.commit();
  t.is(first.writes, 1);

  const reopened = await CollectionFile.open<Users>(dir, 'users', defaults());
  t.deepEqual(reopened.data, { users: { u1: { name: 'Ada' } } });
  t.deepEqual(await readdir(dir), ['users.json']);
});

test('each commit is on disk when it resolves, and concurrent commits coalesce', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'users.json');
  const col = await CollectionFile.open<Users>(dir, 'users', defaults());

  await Promise.all(
    Array.from({ length: 100 }, async (_, i) => {
      col.data.users[`u${i}`] = { name: `n${i}` };
      await col.commit();
      const onDisk = JSON.parse(await readFile(file, 'utf8')) as Users;
      t.deepEqual(onDisk.users[`u${i}`], { name: `n${i}` });
    }),
  );
  t.true(col.writes <= 3, `writes=${col.writes}`);
  await col.flush();

  const reopened = await CollectionFile.open<Users>(dir, 'users', defaults());
  t.is(Object.keys(reopened.data.users).length, 100);
});

test('replacing data wholesale is persisted too', async (t) => {
  const dir = await tempDir(t);
  const col = await CollectionFile.open<Users>(dir, 'users', defaults());
  col.data = { users: { z: { name: 'Zed' } } };
  await col.commit();
  const reopened = await CollectionFile.open<Users>(dir, 'users', defaults());
  t.deepEqual(reopened.data, { users: { z: { name: 'Zed' } } });
});

test('mutations do not leak into a shared defaults object', async (t) => {
  const dir = await tempDir(t);
  const shared = defaults();
  const col = await CollectionFile.open<Users>(dir, 'users', shared);
  col.data.users.u1 = { name: 'Ada' };
  t.deepEqual(shared, { users: {} });
});

test('in-memory mode keeps data and writes nothing', async (t) => {
  const name = `mem-${process.pid}-${Date.now()}`;
  const col = await CollectionFile.open<Users>(null, name, defaults());
  col.data.users.u1 = { name: 'Ada' };
  await col.commit();
  await col.flush();
  t.is(col.writes, 0);
  t.deepEqual(col.data, { users: { u1: { name: 'Ada' } } });
  t.false(existsSync(`${name}.json`));

  const other = await CollectionFile.open<Users>(null, name, defaults());
  t.deepEqual(other.data, { users: {} }, 'in-memory collections are not shared');
});

test('rejects names that could escape the data dir', async (t) => {
  for (const name of ['../x', 'a/b', '', '.hidden']) {
    await t.throwsAsync(CollectionFile.open(null, name, {}), { message: /invalid collection name/ });
  }
});
