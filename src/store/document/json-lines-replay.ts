import { type FileHandle, open } from 'node:fs/promises';
import { CorruptStoreError, RESTORE_ADVICE, unreadableFile } from './corrupt-store.js';
import { isMissing } from './durable-json-file.js';
import type { LineShape } from './json-lines-log.js';

/** Bytes read from the file at a time while replaying it. */
const READ_CHUNK = 1 << 20;
/** Equal strings share one copy within this many replayed strings (see parseSharing). */
const SHARED_STRINGS = 100_000;

/**
 * Reads `file` chunk by chunk (the whole text as one string would cap the log at V8's
 * longest string) and calls `replay` with each line's value. Returns the file's size (null
 * when it does not exist), the end of its last good line, and how many good lines it holds.
 */
export async function replayFile<T>(
  file: string,
  shape: LineShape<T>,
  replay: (value: T) => void,
): Promise<{ size: number | null; good: number; lines: number }> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    if (isMissing(err)) return { size: null, good: 0, lines: 0 };
    throw unreadableFile(file, err);
  }
  const parse = parseSharing();
  let size = 0;
  let good = 0;
  let lines = 0;
  /** Newline-ended lines read so far, bad ones included (line numbers for the error). */
  let read = 0;
  /** The first line after the last good one that did not parse: corruption if a good one follows. */
  let bad: { number: number; text: string } | null = null;
  /** Bytes of a line that started in an earlier chunk. */
  let carried = Buffer.alloc(0);
  try {
    const buffer = Buffer.alloc(READ_CHUNK);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, READ_CHUNK, size).catch((err: unknown) => {
        throw unreadableFile(file, err);
      });
      if (bytesRead === 0) break;
      const chunk = Buffer.concat([carried, buffer.subarray(0, bytesRead)]);
      const chunkStart = size - carried.length;
      size += bytesRead;
      let start = 0;
      for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
        const text = chunk.toString('utf8', start, nl);
        const value = parse(text);
        start = nl + 1;
        read += 1;
        if (value === BAD) {
          bad ??= { number: read, text };
          continue;
        }
        if (bad) throw damaged(file, bad, read);
        if (!shape.holds(value)) throw notALine(file, { number: read, text }, shape.what);
        replay(value);
        lines += 1;
        good = chunkStart + start;
      }
      carried = Buffer.from(chunk.subarray(start));
    }
  } finally {
    await handle.close();
  }
  return { size, good, lines };
}

const BAD: unique symbol = Symbol('bad line');

/** The error for a bad line (numbered from 1) followed by the good line `next`. */
function damaged(file: string, bad: { number: number; text: string }, next: number): CorruptStoreError {
  return new CorruptStoreError(
    `${file}: line ${bad.number} is not JSON (${JSON.stringify(shown(bad.text))}) and line ${next} after it is: ` +
      `the file is damaged, not cut short by a crash. ${giveUp(file, bad.number)}`,
  );
}

/** The error for a line (numbered from 1) that is JSON, but not what the log holds. */
function notALine(file: string, bad: { number: number; text: string }, what: string): CorruptStoreError {
  return new CorruptStoreError(
    `${file}: line ${bad.number} is JSON but not ${what} (${JSON.stringify(shown(bad.text))}): the file is ` +
      `damaged. ${giveUp(file, bad.number)}`,
  );
}

/** What to do about a damaged line: the backup, or give up the line's records. */
const giveUp = (file: string, line: number): string =>
  `${RESTORE_ADVICE}; or, to give up the records of the lines that are bad and keep the rest, delete ` +
  `them (\`sed -i '${line}d' ${file}\` for this one) and start again`;

const shown = (text: string): string => (text.length > 60 ? `${text.slice(0, 60)}…` : text);

/**
 * JSON.parse of one line, BAD when it does not parse. Equal strings share one copy while
 * the replay lasts, as DurableJsonFile does within a document: log lines repeat theirs (an
 * app id, an event name) and each parse would give every line its own. The map is dropped
 * once it holds SHARED_STRINGS strings, so unique ones (ids) do not pile up in it.
 */
function parseSharing(): (text: string) => unknown {
  let seen = new Map<string, string>();
  const share = (_key: string, value: unknown): unknown => {
    if (typeof value !== 'string') return value;
    const known = seen.get(value);
    if (known !== undefined) return known;
    if (seen.size >= SHARED_STRINGS) seen = new Map();
    seen.set(value, value);
    return value;
  };
  return (text) => {
    if (text === '') return BAD;
    try {
      return JSON.parse(text, share);
    } catch {
      return BAD;
    }
  };
}
