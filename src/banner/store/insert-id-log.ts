import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileDurably } from '../../store/document/durable-json-file.js';
import { GroupCommit } from '../../store/document/group-commit.js';
import { INSERT_ID_WINDOW_MS } from './profile-store.js';

export interface InsertIdRecord {
  appId: string;
  id: string;
  /** ms since the epoch */
  at: number;
}

/** A line of the log: an id claimed at an instant, or released. */
type Line = ['c', string, string, number] | ['r', string, string];

// Ids never contain a newline (they are validated), so joined keys cannot collide.
const keyOf = (appId: string, id: string): string => `${appId}\n${id}`;
const recordOf = (key: string, at: number): InsertIdRecord => {
  const cut = key.indexOf('\n');
  return { appId: key.slice(0, cut), id: key.slice(cut + 1), at };
};

/** The file is rewritten (expired ids dropped) once it holds this many lines more than twice the live ids. */
const MIN_LINES_BEFORE_REWRITE = 10_000;

/**
 * The `$insert_id`s of tracked events on the embedded store, in `banner-insert-ids.jsonl`:
 * a claim appends one line per id and resolves once it is on disk (fdatasync; concurrent
 * claims share a write, as GroupCommit does for documents). The node SDK sends an id with
 * every event, so this set grows with the traffic of the de-duplication window: kept in a
 * document, each claim rewrote every id (16 ms at 300,000 ids; 5.6 ms with the document in
 * 64 shards), now it costs its own lines. The file is rewritten without the expired and
 * released ids once it holds more than twice the live ones, so a rewrite comes after at
 * least as many appends as it writes lines.
 *
 * A line torn by a crash is skipped on open (its claim was never acknowledged) and the
 * file rewritten, so the next append does not run on from it.
 */
export class InsertIdLog {
  readonly #file: string | null;
  /** App and id → when claimed (ms). Check-and-set is synchronous, so concurrent claims cannot both win. */
  readonly #seen = new Map<string, number>();
  /** Lines not yet written, in order. */
  #queued: Line[] = [];
  /** Lines in the file now, and how many it may hold before the next write rewrites it. */
  #lines = 0;
  #rewriteAbove = MIN_LINES_BEFORE_REWRITE;
  /** The latest claim's instant: the rewrite drops ids older than the window before it. */
  #latest = 0;
  readonly #group: GroupCommit | null;

  private constructor(file: string | null) {
    this.#file = file;
    this.#group = file === null ? null : new GroupCommit(() => this.#write(file));
  }

  /**
   * Opens the log in `dir` (null: memory only) with `adopted` ids (an earlier version's,
   * kept in the profile documents) added; rewrites the file when it was torn or ids were
   * adopted, so they are in it before the caller drops them from where they were.
   */
  static async open(dir: string | null, adopted: readonly InsertIdRecord[] = []): Promise<InsertIdLog> {
    const log = new InsertIdLog(dir === null ? null : path.join(dir, 'banner-insert-ids.jsonl'));
    const clean = log.#file === null ? true : log.#replay(await readText(log.#file));
    for (const r of adopted) log.#set(keyOf(r.appId, r.id), r.at);
    if (log.#file !== null && (!clean || adopted.length > 0)) await log.#rewrite(log.#file);
    return log;
  }

  /** Applies the file's lines; false when a line did not parse (torn) or the text does not end a line. */
  #replay(text: string): boolean {
    let clean = text === '' || text.endsWith('\n');
    for (const raw of text.split('\n')) {
      if (raw === '') continue;
      let line: Line;
      try {
        line = JSON.parse(raw) as Line;
      } catch {
        clean = false;
        continue;
      }
      this.#lines += 1;
      if (line[0] === 'c') this.#set(keyOf(line[1], line[2]), line[3]);
      else this.#seen.delete(keyOf(line[1], line[2]));
    }
    return clean;
  }

  #set(key: string, at: number): void {
    this.#seen.set(key, at);
    if (at > this.#latest) this.#latest = at;
  }

  /**
   * Adds the ids not seen within INSERT_ID_WINDOW_MS before `at`; resolves with them once
   * they are on disk. If the write fails, they are forgotten again and the call rejects.
   */
  async claim(appId: string, ids: readonly string[], at: Date): Promise<Set<string>> {
    const now = at.getTime();
    const claimed = new Set<string>();
    for (const id of ids) {
      const key = keyOf(appId, id);
      const seenAt = this.#seen.get(key);
      if (seenAt !== undefined && seenAt >= now - INSERT_ID_WINDOW_MS) continue;
      this.#set(key, now);
      this.#queued.push(['c', appId, id, now]);
      claimed.add(id);
    }
    if (claimed.size === 0) return claimed;
    try {
      await this.#commit();
    } catch (err) {
      for (const id of claimed) {
        const key = keyOf(appId, id);
        if (this.#seen.get(key) === now) this.#seen.delete(key);
      }
      throw err;
    }
    return claimed;
  }

  /** Forgets ids claimed by a call whose events could not be stored, so a retry stores them. */
  async release(appId: string, ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      if (this.#seen.delete(keyOf(appId, id))) this.#queued.push(['r', appId, id]);
    }
    await this.#commit();
  }

  /** Forgets up to `limit` ids seen before `before`; returns how many. */
  async forgetBefore(before: Date, limit: number): Promise<number> {
    const ms = before.getTime();
    let removed = 0;
    for (const [key, at] of this.#seen) {
      if (removed >= limit) break;
      if (at >= ms) continue;
      this.#seen.delete(key);
      const { appId, id } = recordOf(key, at);
      this.#queued.push(['r', appId, id]);
      removed += 1;
    }
    if (removed > 0) await this.#commit();
    return removed;
  }

  /** Every remembered id (portable export). */
  records(): InsertIdRecord[] {
    return [...this.#seen].map(([key, at]) => recordOf(key, at));
  }

  /** Adds `records` (portable import) and resolves once they are on disk. */
  async add(records: readonly InsertIdRecord[]): Promise<void> {
    for (const r of records) {
      this.#set(keyOf(r.appId, r.id), r.at);
      this.#queued.push(['c', r.appId, r.id, r.at]);
    }
    await this.#commit();
  }

  flush(): Promise<void> {
    return this.#group?.flush() ?? Promise.resolve();
  }

  #commit(): Promise<void> {
    if (this.#group === null) {
      this.#queued = [];
      return Promise.resolve();
    }
    return this.#group.commit();
  }

  /** One group's write: its lines appended, or the whole file rewritten once it has grown enough. */
  async #write(file: string): Promise<void> {
    const lines = this.#queued;
    this.#queued = [];
    if (this.#lines + lines.length > this.#rewriteAbove) return this.#rewrite(file);
    if (lines.length === 0) return;
    const text = lines.map((l) => `${JSON.stringify(l)}\n`).join('');
    const handle = await open(file, 'a');
    try {
      await handle.writeFile(text, 'utf8');
      await handle.datasync();
    } finally {
      await handle.close();
    }
    this.#lines += lines.length;
  }

  /** Writes the live ids alone (expired ones dropped), atomically; the next rewrite after twice as many lines. */
  async #rewrite(file: string): Promise<void> {
    const cut = this.#latest - INSERT_ID_WINDOW_MS;
    for (const [key, at] of this.#seen) if (at < cut) this.#seen.delete(key);
    // Taken now, synchronously: a claim made during the write is in the next one.
    const text = [...this.#seen]
      .map(([key, at]) => {
        const { appId, id } = recordOf(key, at);
        return `${JSON.stringify(['c', appId, id, at])}\n`;
      })
      .join('');
    const lines = this.#seen.size;
    await writeFileDurably(file, text);
    this.#lines = lines;
    this.#rewriteAbove = Math.max(2 * lines, MIN_LINES_BEFORE_REWRITE);
  }
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}
