import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { Low } from 'lowdb';
import { DurableJsonFile, ensureDir } from '../../../src/store/document/durable-json-file.js';

async function tempDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'offerd-durable-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

interface Doc {
  items: Array<{ id: string; n: number }>;
}

test('round-trips compact JSON and leaves no temp files behind', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'things.json');
  const adapter = new DurableJsonFile<Doc>(file);
  const doc: Doc = {
    items: [
      { id: 'a', n: 1 },
      { id: 'é/"x"', n: 2 },
    ],
  };

  await adapter.write(doc);
  t.deepEqual(await adapter.read(), doc);
  t.is(await readFile(file, 'utf8'), JSON.stringify(doc));
  t.deepEqual(await readdir(dir), ['things.json']);

  await adapter.write({ items: [] });
  t.deepEqual(await new DurableJsonFile<Doc>(file).read(), { items: [] });
  t.deepEqual(await readdir(dir), ['things.json']);
});

test('concurrent reads of files large and small, multi-byte text included, each get their own content', async (t) => {
  const dir = await tempDir(t);
  // Sizes around and far past 64 KB, and 2-4 byte characters wherever a read may stop.
  const docs = [10, 70_000, 3, 400_000, 1_000, 65_536, 150_000].map((size, k) => ({
    items: [{ id: `${k}-${'é😀ß'.repeat(size / 8)}-${'x'.repeat(size % 97)}`, n: size }],
  }));
  await Promise.all(docs.map((d, k) => new DurableJsonFile<Doc>(path.join(dir, `d${k}.json`)).write(d)));
  const read = await Promise.all(
    [...docs.keys(), ...docs.keys()].map((k) =>
      new DurableJsonFile<Doc>(path.join(dir, `d${k}.json`)).read(),
    ),
  );
  t.deepEqual(read, [...docs, ...docs]);
  // A missing file among them is still null and does not stop the others.
  const mixed = await Promise.all([
    new DurableJsonFile<Doc>(path.join(dir, 'none.json')).read(),
    new DurableJsonFile<Doc>(path.join(dir, 'd1.json')).read(),
  ]);
  t.deepEqual(mixed, [null, docs[1]]);
});

test('missing file reads as null, and lowdb then keeps its defaults', async (t) => {
  const dir = await tempDir(t);
  const adapter = new DurableJsonFile<Doc>(path.join(dir, 'nope.json'));
  t.is(await adapter.read(), null);

  const db = new Low<Doc>(adapter, { items: [{ id: 'default', n: 0 }] });
  await db.read();
  t.deepEqual(db.data, { items: [{ id: 'default', n: 0 }] });
});

test('write creates missing directories', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'a', 'b', 'c.json');
  await new DurableJsonFile<Doc>(file).write({ items: [{ id: 'x', n: 1 }] });
  t.deepEqual(JSON.parse(await readFile(file, 'utf8')), { items: [{ id: 'x', n: 1 }] });
});

test('a write after its directory was removed creates the directory again', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'sub', 'c.json');
  const adapter = new DurableJsonFile<Doc>(file);
  await adapter.write({ items: [{ id: 'x', n: 1 }] });
  await rm(path.join(dir, 'sub'), { recursive: true });
  await adapter.write({ items: [{ id: 'y', n: 2 }] });
  t.deepEqual(JSON.parse(await readFile(file, 'utf8')), { items: [{ id: 'y', n: 2 }] });
});

test('a leftover temp file from a crashed write does not affect the target', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'users.json');
  const adapter = new DurableJsonFile<Doc>(file);
  await adapter.write({ items: [{ id: 'kept', n: 1 }] });

  // What a crash between writing the temp file and renaming it leaves behind.
  const leftover = path.join(dir, '.users.json.deadbeef0000.tmp');
  await writeFile(leftover, '{"items":[{"id":"torn');

  t.deepEqual(await adapter.read(), { items: [{ id: 'kept', n: 1 }] });
  await adapter.write({ items: [{ id: 'next', n: 2 }] });
  t.deepEqual(await new DurableJsonFile<Doc>(file).read(), { items: [{ id: 'next', n: 2 }] });
  t.is(await readFile(leftover, 'utf8'), '{"items":[{"id":"torn', 'unrelated temp files are left alone');
});

test('a write that fails before the rename keeps the old content', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'events.json');
  const adapter = new DurableJsonFile<unknown>(file);
  await adapter.write({ ok: true });

  await t.throwsAsync(adapter.write({ big: 1n }), { instanceOf: TypeError });
  t.deepEqual(await adapter.read(), { ok: true });
  t.deepEqual(await readdir(dir), ['events.json']);
});

test('a failed rename removes the temp file and rejects', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'blocked.json');
  await mkdir(file); // a directory where the file should go makes rename fail
  await t.throwsAsync(new DurableJsonFile<Doc>(file).write({ items: [] }));
  t.deepEqual(await readdir(dir), ['blocked.json']);
});

test('an unparseable target is an error, not an empty collection', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'broken.json');
  await writeFile(file, '{"items": [');
  const err = await t.throwsAsync(new DurableJsonFile<Doc>(file).read());
  t.true(err?.message.includes('broken.json'));
});

test('ensureDir makes every directory it creates durable: each new entry is fsynced in its parent', async (t) => {
  const dir = await tempDir(t);
  const deep = path.join(dir, 'a', 'b', 'c');
  t.deepEqual(await ensureDir(deep), [dir, path.join(dir, 'a'), path.join(dir, 'a', 'b')]);
  t.deepEqual(await readdir(path.join(dir, 'a', 'b')), ['c']);
  t.deepEqual(await ensureDir(deep), [], 'an existing directory: nothing created, nothing to sync');
  t.deepEqual(await ensureDir(path.join(dir, 'a', 'd')), [path.join(dir, 'a')]);
});
