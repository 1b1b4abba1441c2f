import { randomBytes } from 'node:crypto';
import { type FileHandle, mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Adapter } from 'lowdb';
import { JsonChunks } from './json-chunks.js';

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

export async function fsyncDir(dir: string): Promise<void> {
  // Windows cannot open a directory for fsync; rename is as durable as it gets there.
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

const FIRST_READ_BUFFER = 64 * 1024;
/** Read buffer shared by every read in the process; it grows to the largest file of a batch of reads. */
let readBuffer = Buffer.allocUnsafeSlow(FIRST_READ_BUFFER);
let reads: Promise<unknown> = Promise.resolve();
let pendingReads = 0;

async function readInto(handle: FileHandle): Promise<string> {
  let length = 0;
  for (;;) {
    if (length === readBuffer.length) {
      const grown = Buffer.allocUnsafeSlow(readBuffer.length * 2);
      readBuffer.copy(grown, 0, 0, length);
      readBuffer = grown;
    }
    const { bytesRead } = await handle.read(readBuffer, length, readBuffer.length - length, null);
    if (bytesRead === 0) return readBuffer.toString('utf8', 0, length);
    length += bytesRead;
  }
}

/**
 * A file's text, or null when it does not exist. Reads take turns through one buffer:
 * opening a store reads ~200 shard files at once, and a fresh malloc'd buffer per file
 * (what readFile does) left freed but fragmented malloc memory resident: at 100,000
 * users, RSS after opening the store was 634 MB that way and ~600 MB this way.
 */
function readText(filename: string): Promise<string | null> {
  pendingReads++;
  const read = reads.then(async () => {
    let handle: FileHandle;
    try {
      handle = await open(filename, 'r');
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
    try {
      return await readInto(handle);
    } finally {
      await handle.close();
    }
  });
  reads = read
    .catch(() => {})
    .finally(() => {
      // Reads come in batches (opening a store, an import): the buffer goes after the last.
      if (--pendingReads === 0 && readBuffer.length > FIRST_READ_BUFFER) {
        readBuffer = Buffer.allocUnsafeSlow(FIRST_READ_BUFFER);
      }
    });
  return read;
}

/** Writes `buffers` in order from the handle's position, however many calls that takes. */
async function writeAll(handle: FileHandle, buffers: readonly Buffer[]): Promise<void> {
  let rest = buffers.filter((b) => b.length > 0);
  while (rest.length > 0) {
    let { bytesWritten } = await handle.writev(rest);
    if (bytesWritten === 0) throw new Error('the file accepted no bytes');
    while (rest.length > 0 && bytesWritten >= (rest[0] as Buffer).length) {
      bytesWritten -= (rest[0] as Buffer).length;
      rest = rest.slice(1);
    }
    if (bytesWritten > 0) rest = [(rest[0] as Buffer).subarray(bytesWritten), ...rest.slice(1)];
  }
}

/**
 * lowdb adapter storing one compact JSON document per file.
 *
 * write() resolves only once the new content is durable: temp file in the same directory,
 * fsync, rename over the target, fsync the directory. A crash at any point leaves either
 * the old or the new document, never a torn one. Not safe for concurrent writes of
 * different data to one file: serialize them (GroupCommit does).
 */
export class DurableJsonFile<T> implements Adapter<T> {
  readonly filename: string;
  /** Set once the directory is known to exist: a commit then saves the mkdir round trip. */
  #dirReady = false;

  constructor(filename: string) {
    this.filename = filename;
  }

  /** Parsed document, or null when the file does not exist. Throws on unparseable content. */
  async read(): Promise<T | null> {
    const text = await readText(this.filename);
    if (text === null) return null;
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      // Falling back to defaults here would overwrite real data on the next write.
      throw new Error(`${this.filename}: invalid JSON`, { cause: err });
    }
  }

  async write(data: T): Promise<void> {
    // Serialized now, before the first await: callers may change `data` while this writes.
    const json = JsonChunks.of(data);
    const assumed = this.#dirReady;
    try {
      await this.#writeText(json);
    } catch (err) {
      // The directory went away since: create it again, once.
      if (!assumed || !isMissing(err)) throw err;
      this.#dirReady = false;
      await this.#writeText(json);
    } finally {
      json.release();
    }
  }

  async #writeText(json: JsonChunks): Promise<void> {
    const dir = path.dirname(this.filename);
    if (!this.#dirReady) {
      const created = await mkdir(dir, { recursive: true });
      if (created) await fsyncDir(path.dirname(created));
      this.#dirReady = true;
    }
    // Dot-prefixed and ending in .tmp so directory watchers skip it.
    const tmp = path.join(dir, `.${path.basename(this.filename)}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const handle = await open(tmp, 'wx');
      try {
        await writeAll(handle, json.buffers);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, this.filename);
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => {});
      throw err;
    }
    await fsyncDir(dir);
  }
}
