import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import siphash24 from 'siphash24';
import { CorruptStoreError, unreadableFile } from './corrupt-store.js';
import { createFileDurably, isMissing } from './durable-json-file.js';

/** The file in the data dir holding its shard key (docs/operations.md: back it up with the data). */
export const SHARD_KEY_FILE = 'shard-key-siphash.json';
/**
 * The HMAC-SHA256 key of earlier versions. Removed once the SipHash key is on disk: the
 * records it placed are moved at that open, as for a lost key (see rehome()).
 */
export const LEGACY_SHARD_KEY_FILE = 'shard-key.json';

/** SipHash-2-4's key: 128 random bits, far past guessing or searching for. */
const KEY_BYTES = 16;
const HEX_KEY = /^[0-9a-f]{32}$/;

/** The in-memory store's key (dir null): one per process, nothing to keep. */
const processKey = randomBytes(KEY_BYTES);

interface KeyFile {
  sipHash24Key: string;
}

/**
 * Picks a record's shard by a keyed hash with a secret of the data dir. An unkeyed hash
 * (FNV-1a before) let a client holding only a public API key choose user ids that all land
 * in one shard, and grow it until every write of that shard's users was slow (an outside
 * probe: a victim's /track 7.5 → 165 ms of CPU). Without the key, where an id lands is not
 * known outside. SipHash-2-4 of the key's UTF-8, its first 4 bytes (little-endian) as a
 * uint32, modulo the count (its bias, < count / 2^32, is nothing to aim with): SipHash is
 * the keyed function made for this, hash-flooding defence, as in the hash tables of
 * Python, Rust and Linux; the siphash24 package (WebAssembly) computes it.
 *
 * Cost, measured on this 2-core host (200,000 keys of ~40 characters): ~0.55 µs per call,
 * where HMAC-SHA256 through node:crypto (earlier versions) took ~6.7 µs, nearly all of it
 * node:crypto's per-call overhead: a banner request looks up three shards, and the HMACs
 * were 9 % of its CPU under the bench's load (5 % of an offerwall request's).
 * Nothing is cached across calls: a cache keyed by client ids would need a bound.
 */
export class ShardKey {
  private readonly key: Uint8Array;
  /** The hash's 8 bytes: written and read within one synchronous index() call, never across an await. */
  private readonly out = Buffer.alloc(8);

  private constructor(bytes: Uint8Array) {
    this.key = bytes;
  }

  /**
   * The key of `dir`, created at its first open (null: the process's own). Written once,
   * never replaced (createFileDurably), before any shard is written under it; of concurrent
   * openers the first to create it wins and the others read it. A data dir written before
   * there was a key has none: it gets one, and every record moves to the shard the key
   * picks on that open (each collection rehomes at open; a crash midway is resumed by the
   * next open under the same key). A data dir of the HMAC versions is such a dir: its
   * legacy key file is removed once the new key is durable (nothing reads it any more).
   */
  static async of(dir: string | null): Promise<ShardKey> {
    if (dir === null) return new ShardKey(processKey);
    const key = await ShardKey.#readOrCreate(path.join(dir, SHARD_KEY_FILE));
    await rm(path.join(dir, LEGACY_SHARD_KEY_FILE), { force: true });
    return key;
  }

  static async #readOrCreate(file: string): Promise<ShardKey> {
    // Twice at most: a lost race to create it means it is there to read.
    for (let attempt = 0; attempt < 2; attempt++) {
      const found = await readKey(file);
      if (found) return new ShardKey(found);
      const key = randomBytes(KEY_BYTES);
      const content: KeyFile = { sipHash24Key: key.toString('hex') };
      if (await createFileDurably(file, JSON.stringify(content))) return new ShardKey(key);
    }
    throw new Error(`${file}: could neither read nor create the shard key`);
  }

  /** The shard of `key` among `count`. */
  index(key: string, count: number): number {
    siphash24(Buffer.from(key, 'utf8'), this.key, this.out, true);
    return this.out.readUInt32LE(0) % count;
  }
}

/** The key in `file`, or null when there is no file. */
async function readKey(file: string): Promise<Buffer | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (isMissing(err)) return null;
    throw unreadableFile(file, err);
  }
  let hex: unknown;
  try {
    hex = (JSON.parse(text) as Partial<KeyFile>).sipHash24Key;
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
