import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { SHARD_KEY_FILE, ShardKey } from '../../../src/store/document/shard-key.js';
import { tempDir } from '../../helpers/temp-dir.js';

const KEYS = Array.from({ length: 100 }, (_, i) => `app\nuser-${i}`);
const placement = (key: ShardKey) => KEYS.map((k) => key.index(k, 64));

test('concurrent first opens of a data dir (the banner opens three collections at once) agree on one key', async (t) => {
  const dir = await tempDir(t);
  const keys = await Promise.all(Array.from({ length: 5 }, () => ShardKey.of(dir)));
  const first = placement(keys[0] as ShardKey);
  for (const key of keys) t.deepEqual(placement(key), first);
  t.deepEqual(placement(await ShardKey.of(dir)), first, 'read back from the file');
  const { sipHash24Key } = JSON.parse(await readFile(path.join(dir, SHARD_KEY_FILE), 'utf8'));
  t.regex(sipHash24Key, /^[0-9a-f]{32}$/);
});

test('a key file that holds no key is an error naming it, and is left as it is', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, SHARD_KEY_FILE);
  await writeFile(file, '{"sipHash24Key":"abc"}');
  const err = await t.throwsAsync(ShardKey.of(dir));
  t.true(err?.message.includes(file));
  t.is(await readFile(file, 'utf8'), '{"sipHash24Key":"abc"}', 'not replaced: that would move every record');
});

test('the in-memory store has one key per process, the same at every open', async (t) => {
  t.deepEqual(placement(await ShardKey.of(null)), placement(await ShardKey.of(null)));
  t.true(new Set(placement(await ShardKey.of(null))).size > 32, '100 keys over 64 shards');
});

test("the shard is SipHash-2-4 of the key's UTF-8 under the file's key: the reference vector of the SipHash paper", async (t) => {
  // Aumasson & Bernstein, "SipHash: a fast short-input PRF", appendix A: key 00..0f,
  // message 00..0e, SipHash-2-4 = a129ca6149be45e5; its low 32 bits pick the shard.
  const dir = await tempDir(t);
  const key = Buffer.from(Array.from({ length: 16 }, (_, i) => i)).toString('hex');
  await writeFile(path.join(dir, SHARD_KEY_FILE), JSON.stringify({ sipHash24Key: key }));
  const message = String.fromCharCode(...Array.from({ length: 15 }, (_, i) => i));
  const shardKey = await ShardKey.of(dir);
  t.is(shardKey.index(message, 2 ** 32), 0x49be45e5);
  t.is(shardKey.index(message, 512), 0x49be45e5 % 512);
});
