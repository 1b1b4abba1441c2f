import { readFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { CollectionFile } from '../../../src/store/document/collection-file.js';
import { WriteBehind } from '../../../src/store/document/write-behind.js';
import { tempDir } from '../../helpers/temp-dir.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('scheduled changes are written once after the delay, however often they were scheduled', async (t) => {
  const dir = await tempDir(t);
  const file = await CollectionFile.open<{ n: number }>(dir, 'visits', { n: 0 });
  const behind = new WriteBehind(50);
  for (let i = 1; i <= 20; i++) {
    file.data.n = i;
    behind.schedule(file);
  }
  t.is(file.writes, 0, 'nothing is written at once');
  // Polled, not one fixed sleep: a loaded machine may take longer than the delay to fsync.
  for (let waited = 0; file.writes === 0 && waited < 10_000; waited += 20) await sleep(20);
  await sleep(100);
  t.is(file.writes, 1);
  t.deepEqual(JSON.parse(await readFile(path.join(dir, 'visits.json'), 'utf8')), { n: 20 });
});

test('flush writes what is still waiting, at once', async (t) => {
  const dir = await tempDir(t);
  const file = await CollectionFile.open<{ n: number }>(dir, 'visits', { n: 0 });
  const behind = new WriteBehind(60_000);
  file.data.n = 7;
  behind.schedule(file);
  await behind.flush();
  t.is(file.writes, 1);
  t.deepEqual(JSON.parse(await readFile(path.join(dir, 'visits.json'), 'utf8')), { n: 7 });
  await behind.flush();
  t.is(file.writes, 1, 'nothing left to write');
});
