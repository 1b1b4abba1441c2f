import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Adapter } from 'lowdb';
import { CorruptStoreError, RESTORE_ADVICE, unreadableFile } from './corrupt-store.js';

/** Whether `err` says the file does not exist. */
export function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

/** Whether `file` exists (any error but ENOENT is thrown). */
export async function fileExists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (err) {
    if (isMissing(err)) return false;
    throw err;
  }
}

/**
 * Creates `dir` if needed, every new entry durable (a power cut must not take the data dir
 * away): each new directory's entry lives in its parent, so the parents from the topmost
 * created one's down to `dir`'s are each fsynced. Returns those parents, outermost first
 * (none when `dir` existed).
 *
 * One mkdir per missing directory, not mkdir({recursive}): where a parent refuses a child
 * with ENOENT (/proc/x) Node's recursive mkdir retried forever, and start-up hung. A path
 * that is, or is under, something not a directory is ENOTDIR naming that thing.
 */
export async function ensureDir(dir: string): Promise<string[]> {
  const missing: string[] = [];
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const info = await stat(d).catch((err: unknown) => {
      if (isMissing(err) || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
      throw err;
    });
    if (info?.isDirectory()) break;
    if (info) {
      throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${d}'`), {
        code: 'ENOTDIR',
        path: d,
        syscall: 'mkdir',
      });
    }
    missing.unshift(d);
    if (d === path.dirname(d)) break;
  }
  for (const d of missing) {
    await mkdir(d).catch((err: unknown) => {
      // Made meanwhile by another process: it is there, which is what was asked.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    });
  }
  const synced = missing.map((d) => path.dirname(d));
  for (const parent of synced) await fsyncDir(parent);
  return synced;
}

/** `.<file name>.<12 hex digits>.tmp`: the temp files of writeFileDurably (tempFileFor). */
const TEMP_FILE = /^\..+\.[0-9a-f]{12}\.tmp$/;

/**
 * A fresh temp file name beside `filename`: dot-prefixed and ending in .tmp so directory
 * watchers skip it, and removeTempLeftovers finds it if a kill leaves it behind.
 */
export function tempFileFor(filename: string): string {
  const name = `.${path.basename(filename)}.${randomBytes(6).toString('hex')}.tmp`;
  return path.join(path.dirname(filename), name);
}

/**
 * Removes what writes cut short by a kill left in `dir`: temp files never renamed over
 * their target, so they hold nothing acknowledged. Only safe while no other process
 * writes in `dir` (it would remove a temp file under a live write): the caller holds
 * the dir's lock (DataDirLock).
 */
export async function removeTempLeftovers(dir: string): Promise<void> {
  const leftovers = (await readdir(dir)).filter((name) => TEMP_FILE.test(name));
  await Promise.all(leftovers.map((name) => rm(path.join(dir, name), { force: true })));
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

/**
 * JSON.parse, with one copy of each equal string value of the document (the map lives
 * for this one call). JSON.parse gives every value its own string, and records repeat
 * theirs: an offer's title and description, a generation run's times, event names.
 * Sharing them is invisible (strings are immutable). Measured on the bench's 100,000-user
 * store (226 files, 264 MB of JSON): the parsed documents held 332 MB of heap, 201 MB
 * this way, which is what keeps RSS under 500 MB; parsing takes ~2.6× as long (startup only).
 */
function parseSharingStrings(text: string): unknown {
  const seen = new Map<string, string>();
  return JSON.parse(text, (_key, value: unknown) => {
    if (typeof value !== 'string') return value;
    const known = seen.get(value);
    if (known !== undefined) return known;
    seen.set(value, value);
    return value;
  });
}

/** The refusal of a file of the data dir damaged outside offerd: what is wrong, then what to do. */
export function damagedFile(filename: string, what: string): CorruptStoreError {
  return new CorruptStoreError(`${filename}: ${what}. ${DAMAGED_FILE}`);
}

const DAMAGED_FILE =
  'offerd replaces its files whole (a crash leaves the old or the new one), so it was damaged ' +
  `outside offerd; starting without it would lose its records. ${RESTORE_ADVICE}; or, to give ` +
  'up the records of this file alone, move it out of the data dir and start again';

/** Where `text` stops being JSON, from JSON.parse's `err`: the character, or the end when cut short. */
function whereInvalid(text: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (text.trim() === '') return `empty (${text.length} characters), not a JSON document`;
  const at = /at position (\d+)/.exec(message)?.[1];
  if (/end of JSON input/.test(message) || Number(at) >= text.length) {
    return `not valid JSON: cut short, it ends (character ${text.length}) inside the document`;
  }
  if (at !== undefined) return `not valid JSON at character ${at} of ${text.length} (${message})`;
  return `not valid JSON (${message.slice(0, 120)}; the file holds ${text.length} characters)`;
}

/**
 * lowdb adapter storing one compact JSON document per file.
 *
 * lowdb's own JSONFile (steno) renames a temp file over the target but never fsyncs, so
 * an acknowledged write could still be lost to a power cut. write() here resolves only
 * once the new content is durable: temp file in the same directory, fsync, rename over
 * the target, fsync the directory. A crash at any point leaves either the old or the new
 * document, never a torn one. Not safe for concurrent writes of different data to one
 * file: serialize them (GroupCommit does).
 */
export class DurableJsonFile<T> implements Adapter<T> {
  constructor(readonly filename: string) {}

  /** Parsed document, or null when the file does not exist. Throws on unparseable content. */
  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(this.filename, 'utf8');
    } catch (err) {
      if (isMissing(err)) return null;
      throw unreadableFile(this.filename, err);
    }
    let parsed: unknown;
    try {
      parsed = parseSharingStrings(text);
    } catch (err) {
      // Falling back to defaults here would overwrite real data on the next write.
      throw new CorruptStoreError(`${this.filename}: ${whereInvalid(text, err)}. ${DAMAGED_FILE}`, {
        cause: err,
      });
    }
    // offerd writes documents, never a bare value: lowdb read `null` as "no file" (empty).
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw damagedFile(
        this.filename,
        `holds ${Array.isArray(parsed) ? 'a list' : String(parsed)}, not a document`,
      );
    }
    return parsed as T;
  }

  async write(data: T): Promise<void> {
    // Serialized now, before the first await: callers may change `data` while this writes.
    const json = JSON.stringify(data);
    if (json === undefined) throw new TypeError('the document has no JSON form');
    await writeFileDurably(this.filename, json);
  }
}

/** Joins `pieces` into strings of about this many characters, written one by one. */
const CHUNK_CHARS = 1 << 20;

async function writeChunks(
  handle: Awaited<ReturnType<typeof open>>,
  pieces: Iterable<string>,
): Promise<void> {
  let chunk = '';
  for (const piece of pieces) {
    chunk += piece;
    if (chunk.length >= CHUNK_CHARS) {
      // writeFile, not write: it carries on from the handle's position and retries short writes.
      await handle.writeFile(chunk, 'utf8');
      chunk = '';
    }
  }
  if (chunk !== '') await handle.writeFile(chunk, 'utf8');
}

/** Writes a new temp file (never an existing one: 'wx') and syncs it to disk before it is named. */
async function writeSyncedTemp(tmp: string, text: string | Iterable<string>): Promise<void> {
  const handle = await open(tmp, 'wx');
  try {
    if (typeof text === 'string') await handle.writeFile(text, 'utf8');
    else await writeChunks(handle, text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `filename` with `text` so that a crash at any point leaves the old or the new
 * content, never a torn one: a temp file in the same directory, fsync, rename over the
 * target, fsync the directory. `text` may come in chunks (JsonLinesLog.rewrite): a log's
 * content can outgrow the longest string V8 makes (~512 MB).
 */
export async function writeFileDurably(filename: string, text: string | Iterable<string>): Promise<void> {
  const dir = path.dirname(filename);
  // Every write: the data dir may have been removed since the last one.
  await ensureDir(dir);
  const tmp = tempFileFor(filename);
  try {
    await writeSyncedTemp(tmp, text);
    await rename(tmp, filename);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => {});
    throw err;
  }
  await fsyncDir(dir);
}

/**
 * Creates `filename` holding `text`, or returns false when it exists: never replaces it. A
 * temp file is written and synced, then hard-linked to the name: link() fails when the name
 * exists, so of two creators only one wins, and nobody ever reads the file half written (a
 * power cut cannot leave an empty one either). The directory is synced once it has the name.
 */
export async function createFileDurably(filename: string, text: string): Promise<boolean> {
  const dir = path.dirname(filename);
  await ensureDir(dir);
  const tmp = tempFileFor(filename);
  try {
    await writeSyncedTemp(tmp, text);
    await link(tmp, filename);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // ENOENT: a data dir's holder, cleaning up temp files on its open, removed ours. It exists, then.
    if (code === 'EEXIST' || code === 'ENOENT') return false;
    throw err;
  } finally {
    await rm(tmp, { force: true });
  }
  await fsyncDir(dir);
  return true;
}
