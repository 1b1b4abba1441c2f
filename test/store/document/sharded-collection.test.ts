import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { ShardKey } from '../../../src/store/document/shard-key.js';
import { type RehomedList, ShardedCollection } from '../../../src/store/document/sharded-collection.js';
import { tempDir } from '../../helpers/temp-dir.js';

interface Doc {
  users: { key: string; n: number }[];
  offers: { key: string; id: string }[];
}
const empty = (): Doc => ({ users: [], offers: [] });
type Rec = { key: string; n?: number; id?: string };
const LISTS: RehomedList<Doc, Rec>[] = [
  { of: (d) => d.users, key: (r) => r.key },
  { of: (d) => d.offers, key: (r) => r.key, id: (r) => `${r.key}/${r.id}` },
];
const open = async (dir: string, count: number) => {
  const c = await ShardedCollection.open<Doc>(dir, 'things', count, empty);
  return { c, moved: await c.rehome(LISTS) };
};
const file = (dir: string, i: number) => path.join(dir, `things-${String(i).padStart(2, '0')}.json`);
const everything = async (dir: string) => {
  const names = (await readdir(dir)).filter((n) => n.startsWith('things-')).sort();
  const docs = await Promise.all(
    names.map(async (n) => JSON.parse(await readFile(path.join(dir, n), 'utf8')) as Doc),
  );
  return { users: docs.flatMap((d) => d.users), offers: docs.flatMap((d) => d.offers), docs, names };
};

test('a collection written with fewer shards has every record moved to the shard its key picks, once', async (t) => {
  const dir = await tempDir(t);
  const users = Array.from({ length: 200 }, (_, n) => ({ key: `u${n}`, n }));
  const offers = users.flatMap((u) => [1, 2].map((i) => ({ key: u.key, id: `o${i}` })));
  // Written with 2 shards, under the dir's key.
  const key = await ShardKey.of(dir);
  for (const i of [0, 1]) {
    const doc = {
      users: users.filter((u) => key.index(u.key, 2) === i),
      offers: offers.filter((o) => key.index(o.key, 2) === i),
    };
    await writeFile(file(dir, i), JSON.stringify(doc));
  }
  const { c, moved } = await open(dir, 16);
  t.true(moved > 0);
  const after = await everything(dir);
  t.deepEqual(after.users.map((u) => u.key).sort(), users.map((u) => u.key).sort(), 'every user once');
  t.is(after.offers.length, offers.length, 'every offer once');
  for (const [i, doc] of c.shards.entries()) {
    for (const u of doc.data.users) t.is(c.indexOf(u.key), i);
    for (const o of doc.data.offers) t.is(c.indexOf(o.key), i);
  }
  t.is((await open(dir, 16)).moved, 0, 'a second open moves nothing');
});

test('a move cut short by a crash (a record in both shards) keeps one copy', async (t) => {
  const dir = await tempDir(t);
  const record = { key: 'u7', n: 7 };
  const home = (await ShardKey.of(dir)).index(record.key, 8);
  const stray = (home + 1) % 8;
  // The joining shard was written, the leaving one not yet.
  await writeFile(file(dir, home), JSON.stringify({ users: [record], offers: [{ key: 'u7', id: 'o1' }] }));
  await writeFile(file(dir, stray), JSON.stringify({ users: [record], offers: [{ key: 'u7', id: 'o1' }] }));
  const { moved } = await open(dir, 8);
  t.is(moved, 2, 'the stray copies are dropped');
  const after = await everything(dir);
  t.deepEqual(after.users, [record]);
  t.deepEqual(after.offers, [{ key: 'u7', id: 'o1' }]);
});
