import { type FileHandle, open } from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir, writeFileDurably } from './durable-json-file.js';
import { GroupCommit } from './group-commit.js';
import { replayFile } from './json-lines-replay.js';
import { LogLineRecord } from './log-line-record.js';

/** The code of the process warning a cut tail emits (process.emitWarning). */
export const TAIL_CUT = 'OFFERD_LOG_TAIL_CUT';

/**
 * What a group's write takes: the lines appended since, what replaces the file's content
 * first (null: nothing, it appends), and how to take the callers' changes back out of
 * memory if the write fails.
 */
interface Queued {
  replace: (() => string[]) | null;
  lines: string[];
  undos: (() => void)[];
}

const nothingQueued = (): Queued => ({ replace: null, lines: [], undos: [] });

/**
 * What every line of a log holds: open() replays only values `holds` accepts, and refuses a
 * file with any other (JSON that no version of offerd wrote there, `what` names what was
 * expected). Without it a damaged line failed the start as a TypeError with a stack, or was
 * taken in silently (operator probe: `5` in the insert-id log).
 */
export interface LineShape<T> {
  what: string;
  holds: (value: unknown) => value is T;
}

/**
 * An append-only file of JSON values, one per line (`<name>.jsonl`): for records that are
 * never changed, so that storing one costs its own line instead of a rewrite of the
 * document around it. Nothing but this class writes the file.
 *
 * - append() resolves once its lines are durable (open 'a', write, fdatasync, close):
 *   acknowledged means on disk. Concurrent appends share one write (GroupCommit), in the
 *   order they were called. The lines of one call are one write; a caller that needs
 *   several values to stand or fall together puts them in one value (one line).
 * - A failed write rejects the appends it carried and nothing else; bytes it may have left
 *   in the file are cut off before the next write, so a rejected line never reappears
 *   behind a later one. The caller undoes whatever it did in memory for them: in its own
 *   time, or with an `undo` given with the call, which runs as soon as the write fails,
 *   before the next write starts (what a rewrite from memory needs, see rewrite()).
 * - open() replays the lines. Only lines ended by a newline count: a line torn by a crash
 *   mid-append was never acknowledged, and is skipped. Whatever follows the last good line
 *   is cut off (the file truncated and synced) before anything is appended, so the next
 *   line does not run on from the torn one. Truncating rather than rewriting the good
 *   lines: the same safety (a crash while cutting leaves the torn tail, cut at the next
 *   open) at no cost, where a rewrite is the whole file's size. A line that does not parse
 *   with a good line after it is no torn tail (a crash only cuts the end of the last
 *   write): the file was damaged, and open() throws a CorruptStoreError naming the file and
 *   the line rather than drop a stored record without a word.
 * - rewrite() replaces the whole content atomically (compaction, migration).
 * - With no file (`null`), nothing is written and every call resolves at once.
 */
export class JsonLinesLog<T> {
  readonly #group: GroupCommit | null;
  #queued: Queued = nothingQueued();
  /** Bytes and lines of the file as the last successful write left it. */
  #size: number;
  #lines: number;
  /** The file exists (its directory entry is durable); false until the first write creates it. */
  #exists: boolean;
  /** A failed write may have left bytes after #size: cut before the next append. */
  #dirty = false;
  /** How many lines the file held at least when last written down (null: in memory). */
  readonly #record: LogLineRecord | null;

  private constructor(
    file: string | null,
    size: number,
    lines: number,
    exists: boolean,
    record: LogLineRecord | null,
  ) {
    this.#size = size;
    this.#lines = lines;
    this.#exists = exists;
    this.#record = record;
    this.#group = file === null ? null : new GroupCommit(() => this.#write(file));
  }

  /**
   * Opens `file` (null: memory only), calling `replay` with each stored value in order.
   * A value of another shape, or a `replay` that throws, fails the open (the file is left
   * as it is).
   */
  static async open<T>(
    file: string | null,
    shape: LineShape<T>,
    replay: (value: T) => void,
  ): Promise<JsonLinesLog<T>> {
    if (file === null) return new JsonLinesLog<T>(null, 0, 0, false, null);
    const record = await LogLineRecord.read(file);
    const { size, good, lines } = await replayFile(file, shape, replay);
    // Before the tail is cut: a refused log is left as it was found.
    record.check(file, lines, size !== null);
    if (size !== null && good < size) {
      // Said, not silent: the same cut is a crash's torn append (never acknowledged) or a
      // file shortened from outside, which lost an acknowledged record (operator probe: an
      // admin-actions.jsonl cut in half dropped the rollback in force without a word).
      process.emitWarning(
        `${file}: ${size - good} bytes after line ${lines} are no whole line and are cut off: a line torn by a crash (never acknowledged), or the file was cut short from outside`,
        { code: TAIL_CUT },
      );
      const handle = await open(file, 'r+');
      try {
        await handle.truncate(good);
        await handle.datasync();
      } finally {
        await handle.close();
      }
    }
    if (lines > record.lines) await record.write(lines);
    return new JsonLinesLog<T>(file, good, lines, size !== null, record);
  }

  /** Lines in the file (what a caller weighs a compaction by); in memory, lines appended. */
  get lines(): number {
    return this.#lines;
  }

  /** Number of writes that reached disk (always 0 in memory). */
  get writes(): number {
    return this.#group?.writes ?? 0;
  }

  /**
   * Appends one line per value; resolves once they are durable. Each value is serialized
   * now, before the call returns: a value without a JSON form rejects the call and nothing
   * of it is written.
   */
  async append(values: readonly T[], undo?: () => void): Promise<void> {
    const lines = values.map(line);
    if (lines.length === 0) return;
    if (this.#group === null) {
      this.#lines += lines.length;
      return;
    }
    // A loop, not push(...lines): a spread of many arguments overflows the stack.
    for (const l of lines) this.#queued.lines.push(l);
    if (undo) this.#queued.undos.push(undo);
    await this.#group.commit();
  }

  /**
   * Replaces the content, atomically; resolves once durable. It replaces everything
   * appended before the call, appends not yet written included: the new content must hold
   * whatever of those is to be kept. Appends made after the call follow it. `values` as a
   * function is called when the write runs, after every earlier write and the undos of
   * those that failed: a snapshot of memory then holds no change that a failed write
   * rejected (values taken at the call could).
   */
  async rewrite(values: Iterable<T> | (() => Iterable<T>), undo?: () => void): Promise<void> {
    const snapshot = typeof values === 'function' ? values : () => values;
    if (this.#group === null) {
      this.#lines = Array.from(snapshot()).length;
      return;
    }
    const taken = typeof values === 'function' ? null : Array.from(values, line);
    this.#queued.replace = taken ? () => taken : () => Array.from(snapshot(), line);
    this.#queued.lines = [];
    if (undo) this.#queued.undos.push(undo);
    await this.#group.commit();
  }

  /** Waits for in-flight and pending writes, e.g. before shutdown. Never rejects. */
  flush(): Promise<void> {
    return this.#group?.flush() ?? Promise.resolve();
  }

  /** One group's write: its lines appended, or the file replaced by them. */
  async #write(file: string): Promise<void> {
    // Taken now, synchronously: an append made during the write goes with the next one.
    const { replace, lines, undos } = this.#queued;
    this.#queued = nothingQueued();
    try {
      if (replace) await this.#replace(file, [...replace(), ...lines]);
      else if (lines.length > 0) await this.#append(file, lines);
    } catch (err) {
      // Before the group commit starts the next write (whose rewrite may read memory).
      for (let i = undos.length - 1; i >= 0; i--) undos[i]?.();
      throw err;
    }
  }

  async #replace(file: string, lines: string[]): Promise<void> {
    // Lowered before a rewrite that shortens the log: never more than the file holds.
    const record = this.#record as LogLineRecord;
    if (lines.length < record.lines) await record.write(lines.length);
    // writeFileDurably joins the lines into chunks of its own size.
    await writeFileDurably(file, lines);
    this.#size = lines.reduce((n, l) => n + Buffer.byteLength(l), 0);
    this.#lines = lines.length;
    this.#exists = true;
    this.#dirty = false;
  }

  async #append(file: string, lines: string[]): Promise<void> {
    const text = lines.join('');
    const handle = await open(file, 'a');
    try {
      if (this.#dirty) await handle.truncate(this.#size);
      this.#dirty = false;
      await handle.writeFile(text, 'utf8');
      await handle.datasync();
    } catch (err) {
      // Cut now, so that a crash before the next write cannot bring the rejected lines
      // back on open; if even that fails, the next write cuts first.
      this.#dirty = !(await cut(handle, this.#size));
      throw err;
    } finally {
      await handle.close();
    }
    // fdatasync makes the bytes durable, not the new file's name in its directory.
    if (!this.#exists) await fsyncDir(path.dirname(file));
    this.#exists = true;
    this.#size += Buffer.byteLength(text);
    this.#lines += lines.length;
    // Raised now and then, after the lines are durable; a failure leaves it lower, which is
    // safe, and must not fail appends that are on disk (their callers would send them again).
    const record = this.#record as LogLineRecord;
    if (record.behind(this.#lines)) await record.write(this.#lines).catch(() => undefined);
  }
}

/** Truncates the file to `size`, durably; false if that failed. */
async function cut(handle: FileHandle, size: number): Promise<boolean> {
  try {
    await handle.truncate(size);
    await handle.datasync();
    return true;
  } catch {
    return false;
  }
}

/** The line of `value`: JSON escapes every newline inside it. */
function line(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError('a value with no JSON form cannot be logged');
  return `${json}\n`;
}
