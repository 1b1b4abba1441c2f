import { createHmac, createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CorruptStoreError } from './corrupt-store.js';
import { createFileDurably, isMissing } from './durable-json-file.js';

/** The file in the data dir holding its shard key (docs/operations.md: back it up with the data). */
export const SHARD_KEY_FILE = 'shard-key.json';

/** 32 random bytes, SHA-256's own size: far past guessing or searching for (16 would do). */
const KEY_BYTES = 32;
const HEX_KEY = /^[0-9a-f]{64}$/;

/** The in-memory store's key (dir null): one per process, nothing to keep. */
const processKey = randomBytes(KEY_BYTES);

interface KeyFile {
  hmacSha256Key: string;
}

/**
 * Picks a record's shard by a keyed hash with a secret of the data dir. An unkeyed hash
 * (FNV-1a before) let a client holding only a public API key choose user ids that all land
 * in one shard, and grow it until every write of that shard's users was slow (an outside
 * probe: a victim's /track 7.5 → 165 ms of CPU). Without the key, where an id lands is not
 * known outside. HMAC-SHA256 of the key's UTF-8, its first 4 bytes as a uint32, modulo
 * the count (its bias, < count / 2^32, is nothing to aim with).
 *
 * Cost, measured on this 2-core host (.tmp/shard-key-cost.ts, 200,000 keys of ~40 characters):
 * ~6.8 µs of CPU per call where FNV-1a took ~0.27 µs; nearly all of it node:crypto's per-call
 * overhead, which every primitive there has. A request looks up 1-3 shards per record it
 * writes: ~20 µs of a /track's 7.5 ms. An open hashes every sharded record once (rehome): a
 * store of 300,000 banner users, event logs and profiles opened in 3.8-4.7 s instead of
 * 2.8-3.0 s. Nothing is cached across calls: a cache keyed by client ids would need a bound.
 */
export class ShardKey {
  // A KeyObject, not the bytes: createHmac then skips importing the key on every call (~10 %).
  private readonly key: KeyObject;

  private constructor(bytes: Buffer) {
    this.key = createSecretKey(bytes);
  }

  /**
   * The key of `dir`, created at its first open (null: the process's own). Written once,
   * never replaced (createFileDurably), before any shard is written under it; of concurrent
   * openers the first to create it wins and the others read it. A data dir written before
   * there was a key has none: it gets one, and every record moves to the shard the key
   * picks on that open (each collection rehomes at open; a crash midway is resumed by the
   * next open under the same key).
   */
  static async of(dir: string | null): Promise<ShardKey> {
    if (dir === null) return new ShardKey(processKey);
    const file = path.join(dir, SHARD_KEY_FILE);
    // Twice at most: a lost race to create it means it is there to read.
    for (let attempt = 0; attempt < 2; attempt++) {
      const found = await readKey(file);
      if (found) return new ShardKey(found);
      const key = randomBytes(KEY_BYTES);
      const content: KeyFile = { hmacSha256Key: key.toString('hex') };
      if (await createFileDurably(file, JSON.stringify(content))) return new ShardKey(key);
    }
    throw new Error(`${file}: could neither read nor create the shard key`);
  }

  /** The shard of `key` among `count`. */
  index(key: string, count: number): number {
    return createHmac('sha256', this.key).update(key, 'utf8').digest().readUInt32BE(0) % count;
  }
}

/** The key in `file`, or null when there is no file. */
async function readKey(file: string): Promise<Buffer | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
  let hex: unknown;
  try {
    hex = (JSON.parse(text) as Partial<KeyFile>).hmacSha256Key;
  } catch {
    hex = undefined;
  }
  // Never replaced by a fresh one here: that would move every record (see docs/operations.md).
  if (typeof hex !== 'string' || !HEX_KEY.test(hex)) {
    throw new CorruptStoreError(
      `${file}: not a shard key (${KEY_BYTES} bytes in hex expected); restore it from the backup, or remove it to have every record moved under a new key on the next start`,
    );
  }
  return Buffer.from(hex, 'hex');
}
