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
  const { hmacSha256Key } = JSON.parse(await readFile(path.join(dir, SHARD_KEY_FILE), 'utf8'));
  t.regex(hmacSha256Key, /^[0-9a-f]{64}$/);
});

test('a key file that holds no key is an error naming it, and is left as it is', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, SHARD_KEY_FILE);
  await writeFile(file, '{"hmacSha256Key":"abc"}');
  const err = await t.throwsAsync(ShardKey.of(dir));
  t.true(err?.message.includes(file));
  t.is(await readFile(file, 'utf8'), '{"hmacSha256Key":"abc"}', 'not replaced: that would move every record');
});

test('the in-memory store has one key per process, the same at every open', async (t) => {
  t.deepEqual(placement(await ShardKey.of(null)), placement(await ShardKey.of(null)));
  t.true(new Set(placement(await ShardKey.of(null))).size > 32, '100 keys over 64 shards');
});
