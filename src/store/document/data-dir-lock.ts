import { randomBytes } from 'node:crypto';
import { link, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { isText } from './corrupt-store.js';
import { createFileDurably, ensureDir, isMissing, tempFileFor } from './durable-json-file.js';
import { currentProcess, holderState, type ProcessIdentity } from './process-identity.js';

/** The lock file in the data dir. */
export const LOCK_FILE = 'offerd.lock';

/** What the lock file holds: its holder, when it took the dir, and a token of this one taking. */
interface LockContent extends ProcessIdentity {
  lockedAt: string;
  token: string;
}

/** The lock file as read: its inode (to remove exactly that file), its content if it parses. */
interface FoundLock {
  ino: number;
  content: LockContent | null;
}

/** A second process (or a second open in this one) met a data dir that is in use. */
export class DataDirLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly holder: LockContent | null,
    message: string,
    /** The holder is a live process on this host: a running service, most likely. */
    readonly holderAlive = false,
  ) {
    super(message);
    this.name = 'DataDirLockedError';
  }
}

/**
 * The data dir cannot be made or written where its path says: a file, under a file, a
 * read-only file system, no permission. Its message names the path and the cause; the
 * caller adds the setting (start-up stopped with a raw EEXIST/ENOTDIR/EROFS stack).
 */
export class DataDirUnusableError extends Error {
  constructor(
    readonly dir: string,
    message: string,
    /**
     * The device is full or over quota: a state of the disk, not of the setting. Start
     * said "invalid configuration" for it (crash probe): the same start succeeds once space
     * is freed.
     */
    readonly full = false,
  ) {
    super(message);
    this.name = 'DataDirUnusableError';
  }
}

/** The codes of a device that has no room left (DataDirUnusableError.full). */
const FULL = new Set(['ENOSPC', 'EDQUOT']);

const CAUSES: Record<string, string> = {
  ENOTDIR: 'is not a directory',
  EEXIST: 'exists and is not a directory',
  EROFS: 'is on a read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'cannot be created there',
  ENOSPC: 'has no space left on its device',
  EDQUOT: 'is over its disk quota',
};

/** `err` as a DataDirUnusableError when it is the file system refusing the dir, else as is. */
function unusable(dir: string, err: unknown): unknown {
  const { code, path: at } = err as NodeJS.ErrnoException;
  const cause = code ? CAUSES[code] : undefined;
  if (!cause) return err;
  const what = at === undefined || path.resolve(at) === dir ? 'it' : at;
  return new DataDirUnusableError(
    dir,
    `cannot use the data directory ${dir}: ${what} ${cause} (${code})`,
    FULL.has(code as string),
  );
}

const isTextOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';

function parseLock(text: string): LockContent | null {
  try {
    const v = JSON.parse(text) as Partial<Record<keyof LockContent, unknown>>;
    const ok =
      Number.isInteger(v.pid) &&
      (v.pid as number) > 0 &&
      isText(v.hostname) &&
      isTextOrNull(v.bootId) &&
      isTextOrNull(v.startTime) &&
      isText(v.lockedAt) &&
      isText(v.token);
    return ok ? (v as LockContent) : null;
  } catch {
    return null;
  }
}

/** The lock file, or null when there is none. */
async function readLock(file: string): Promise<FoundLock | null> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
  try {
    // One open file for both: the inode is the one whose content was read.
    const found = await handle.stat();
    // open() of a directory succeeds; its read failed later as a raw EISDIR stack.
    if (found.isDirectory()) {
      const dir = path.dirname(file);
      throw new DataDirUnusableError(
        dir,
        `cannot use the data directory ${dir}: ${file} is a directory where offerd keeps its lock file: move it out of the data dir`,
      );
    }
    const { ino } = found;
    return { ino, content: parseLock(await handle.readFile('utf8')) };
  } finally {
    await handle.close();
  }
}

/** Creates the lock file holding `content`, or returns false when one exists (see createFileDurably). */
function create(file: string, content: LockContent): Promise<boolean> {
  return createFileDurably(file, JSON.stringify(content));
}

/**
 * Removes the lock file with inode `ino`, whose holder is dead. Not by unlink(file): another
 * process may have taken the dir over since we read it, and we would remove its live lock.
 * rename() moves whatever is there now aside, atomically; if that is not the file we judged,
 * it goes back at once (link: unless yet another process took the empty name meanwhile).
 */
async function removeStale(file: string, ino: number): Promise<void> {
  const aside = tempFileFor(file);
  try {
    await rename(file, aside);
  } catch (err) {
    if (isMissing(err)) return;
    throw err;
  }
  try {
    if ((await stat(aside)).ino !== ino) await link(aside, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new Error(
        `three processes took over the data directory ${path.dirname(file)} at once: stop every offerd using it, then start one`,
      );
    }
    if (!isMissing(err)) throw err;
  } finally {
    await rm(aside, { force: true });
  }
}

function lockedError(dir: string, file: string, found: FoundLock, state: string): DataDirLockedError {
  const h = found.content;
  if (h === null) {
    return new DataDirLockedError(
      dir,
      null,
      `the data directory ${dir} has a lock file that names no process (${file}): if no offerd uses the directory, delete that file`,
    );
  }
  const message =
    state === 'this process'
      ? `the data directory ${dir} is already open in this process (pid ${h.pid}): close that store first`
      : state === 'unknown'
        ? `the data directory ${dir} is locked by process ${h.pid} on host ${h.hostname} (since ${h.lockedAt}), which cannot be checked from this host: if no offerd runs there any more, delete ${file}`
        : `the data directory ${dir} is in use by offerd process ${h.pid} on ${h.hostname} (since ${h.lockedAt}): stop that process first, or use PostgreSQL (OFFERD_STORE=postgres) to run several instances on one store`;
  return new DataDirLockedError(dir, h, message, state === 'alive');
}

/**
 * The embedded store's claim on its data dir: one process at a time, since each writes
 * whole files from its own memory and would overwrite the other's acknowledged writes.
 *
 * A lock file naming its holder (pid, host, boot id, process start time), not a lease
 * renewed by a timer (proper-lockfile's mtime): after a kill -9 a dead holder is seen at
 * once, so the restart takes the dir over without waiting out a stale period, and a live
 * holder is never judged stale because its event loop stalled (a store load, a busy host).
 * See ProcessIdentity for pid reuse.
 */
export class DataDirLock {
  private constructor(
    readonly file: string,
    private readonly token: string,
  ) {}

  /** Takes `dir` (created if missing), or throws DataDirLockedError naming the holder. */
  static async acquire(given: string): Promise<DataDirLock> {
    // Absolute in messages: OFFERD_DATA_DIR defaults to `data`, relative to wherever it started.
    const dir = path.resolve(given);
    await ensureDir(dir).catch((err: unknown) => {
      throw unusable(dir, err);
    });
    const file = path.join(dir, LOCK_FILE);
    const me = await currentProcess();
    const content: LockContent = {
      ...me,
      lockedAt: new Date().toISOString(),
      token: randomBytes(8).toString('hex'),
    };
    // A few rounds: each one lost means another process released or took the dir meanwhile.
    let noLock = 0;
    for (let round = 0; round < 5; round++) {
      const created = await create(file, content).catch((err: unknown) => {
        throw unusable(dir, err);
      });
      if (created) return new DataDirLock(file, content.token);
      const found = await readLock(file);
      if (found === null) {
        noLock++;
        continue;
      }
      const state = found.content === null ? 'unreadable' : await holderState(found.content, me);
      if (state !== 'dead') throw lockedError(dir, file, found, state);
      await removeStale(file, found.ino);
    }
    if (noLock === 5) {
      // Never taken and never there: the dir holds no file (/proc, a pseudo file system).
      throw new DataDirUnusableError(
        dir,
        `cannot use the data directory ${dir}: no file can be created in it`,
      );
    }
    throw new Error(`could not lock the data directory ${dir}: its lock file kept changing hands`);
  }

  /** Removes the lock file if it is still this one's (a second release does nothing). */
  async release(): Promise<void> {
    const found = await readLock(this.file);
    if (found?.content?.token === this.token) await rm(this.file, { force: true });
  }
}
