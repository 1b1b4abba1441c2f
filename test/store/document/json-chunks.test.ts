import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { DurableJsonFile } from '../../../src/store/document/durable-json-file.js';
import { JsonChunks } from '../../../src/store/document/json-chunks.js';

const text = (chunks: JsonChunks): string => Buffer.concat(chunks.buffers).toString('utf8');

/** Deterministic pseudo-random numbers, so that a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 2 ** 32;
  };
}

const PIECES = ['a', 'offer', 'é', '—', '"', '\\', '\n', '😀', '\u0000', '\ud800', 'Ω', ' ', '</script>'];

function record(next: () => number, size: number): Record<string, unknown> {
  let title = '';
  for (let i = 0; i < size; i++) title += PIECES[Math.floor(next() * PIECES.length)];
  return {
    id: `r${Math.floor(next() * 1e9)}`,
    title,
    points: Math.floor(next() * 1000) - 500,
    ratio: next(),
    at: new Date(1_800_000_000_000 + Math.floor(next() * 1e9)),
    claimedAt: next() < 0.5 ? null : undefined,
    tags: next() < 0.5 ? [] : ['vip', undefined, { deep: [1, 'two'] }],
  };
}

test('writes byte for byte what JSON.stringify writes, across chunk boundaries and in every script', (t) => {
  const next = random(7);
  for (let round = 0; round < 40; round++) {
    const count = Math.floor(next() * 3000);
    const doc: Record<string, unknown> = {
      version: round,
      users: Array.from({ length: count }, () => record(next, Math.floor(next() * 200))),
      empty: [],
      gone: undefined,
      fn: () => 1,
      nested: { a: [1, 2], when: new Date(0) },
    };
    const chunks = JsonChunks.of(doc);
    const expected = JSON.stringify(doc);
    t.is(text(chunks), expected, `round ${round}`);
    t.is(
      chunks.buffers.reduce((n, b) => n + b.length, 0),
      Buffer.byteLength(expected),
    );
    chunks.release();
  }
});

test('a record larger than a chunk, arrays with holes and things other than plain objects come out as JSON.stringify has them', (t) => {
  const huge = { id: 'big', body: 'ü'.repeat(400_000) };
  // biome-ignore lint/suspicious/noSparseArray: a hole is what is tested
  const sparse = [1, , 3];
  const documents: unknown[] = [
    { items: [{ id: 'a' }, huge, { id: 'b' }] },
    { items: sparse, f: [() => 1, Symbol('s')] },
    [{ id: 'top-level array' }],
    new Date(5),
    'a string',
    42,
    null,
    { toJSON: () => ({ replaced: true }) },
    Object.assign(Object.create(null) as object, { items: [1] }),
  ];
  for (const doc of documents) {
    const chunks = JsonChunks.of(doc);
    t.is(text(chunks), JSON.stringify(doc));
    chunks.release();
  }
  t.throws(() => JsonChunks.of(undefined), { instanceOf: TypeError });
});

test('a document not yet released keeps its text while others reuse released buffers', (t) => {
  const first = JsonChunks.of({ items: Array.from({ length: 20_000 }, (_, i) => ({ i, s: 'first' })) });
  const firstText = text(first);
  const second = JsonChunks.of({ items: Array.from({ length: 20_000 }, (_, i) => ({ i, s: 'second' })) });
  second.release();
  const third = JsonChunks.of({ items: Array.from({ length: 20_000 }, (_, i) => ({ i, s: 'third!' })) });
  t.is(text(first), firstText);
  t.true(text(third).includes('"third!"'));
  t.is(
    text(third),
    JSON.stringify({ items: Array.from({ length: 20_000 }, (_, i) => ({ i, s: 'third!' })) }),
  );
  first.release();
  third.release();
});

test('a store file written in many chunks reads back whole', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'offerd-chunks-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'shard.json');
  const doc = {
    offers: Array.from({ length: 30_000 }, (_, i) => ({
      id: `o${i}`,
      title: 'Welcome Free Spin — ünïcode',
      n: i,
    })),
  };
  await new DurableJsonFile<typeof doc>(file).write(doc);
  t.is(await readFile(file, 'utf8'), JSON.stringify(doc));
  t.deepEqual(await new DurableJsonFile<typeof doc>(file).read(), doc);
});
