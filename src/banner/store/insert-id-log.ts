import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileExists, writeFileDurably } from '../../store/document/durable-json-file.js';
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

/**
 * The file is rewritten (expired and released ids dropped) once it holds more than twice
 * the lines of the last rewrite, and never below this many.
 */
const MIN_LINES_BEFORE_REWRITE = 10_000;

/** A line waiting for the next write, with how to take its change back out of memory if that write fails. */
interface Queued {
  line: Line;
  undo: () => void;
}

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
 * A write that fails takes its batch's changes back out of memory before anything else
 * runs (so no later write puts them on disk), and the next write rewrites the whole file
 * from memory (so nothing appends after a half-written line). A line torn by a crash is
 * skipped on open and the file rewritten. The ids live in memory, ~180 bytes each: about
 * 700 MB for 4 million ids in the window (7 events a second); beyond that, PostgreSQL.
 */
export class InsertIdLog {
  /** App and id → when claimed (ms). Check-and-set is synchronous, so concurrent claims cannot both win. */
  readonly #seen = new Map<string, number>();
  /** Lines not yet written, in order. */
  #queued: Queued[] = [];
  /** Lines in the file now, and how many it may hold before the next write rewrites it. */
  #lines = 0;
  #rewriteAbove = MIN_LINES_BEFORE_REWRITE;
  /** Set by a failed write: the file may end in half a line, so the next write rewrites it. */
  #mustRewrite = false;
  /** The last claim's instant: a rewrite drops the ids older than the window before it. */
  #lastClaimAt = Number.NEGATIVE_INFINITY;
  readonly #group: GroupCommit | null;

  private constructor(file: string | null) {
    this.#group = file === null ? null : new GroupCommit(() => this.#write(file));
  }

  /**
   * Opens the log in `dir` (null: memory only) with `adopted` ids (an earlier version's,
   * kept in the profile documents) added; rewrites the file when it was torn or ids were
   * adopted, so they are in it before the caller drops them from where they were.
   */
  static async open(dir: string | null, adopted: readonly InsertIdRecord[] = []): Promise<InsertIdLog> {
    const file = dir === null ? null : path.join(dir, 'banner-insert-ids.jsonl');
    const log = new InsertIdLog(file);
    if (file === null) return log;
    const found = await fileExists(file);
    const clean = found ? await log.#replay(file) : true;
    for (const r of adopted) {
      // The later of the two claims, if the log has the id already (a take-over redone after a crash).
      const key = keyOf(r.appId, r.id);
      if (!((log.#seen.get(key) ?? Number.NEGATIVE_INFINITY) >= r.at)) log.#seen.set(key, r.at);
    }
    // Created through a rewrite, so the directory entry is durable before the first append.
    if (!found || !clean || adopted.length > 0) await log.#rewrite(file);
    return log;
  }

  /**
   * Applies the file's lines, read as a stream (it may be larger than a string can be);
   * false when a line did not parse (torn by a crash).
   */
  async #replay(file: string): Promise<boolean> {
    let clean = true;
    const lines = createInterface({
      input: createReadStream(file, 'utf8'),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    for await (const raw of lines) {
      if (raw === '') continue;
      let line: Line;
      try {
        line = JSON.parse(raw) as Line;
      } catch {
        clean = false;
        continue;
      }
      this.#lines += 1;
      if (line[0] === 'c') this.#seen.set(keyOf(line[1], line[2]), line[3]);
      else this.#seen.delete(keyOf(line[1], line[2]));
    }
    return clean;
  }

  /** Queues the removal of `key` (a release or an expiry), restoring its claim if the write fails. */
  #queueRemoval(key: string, at: number): void {
    this.#seen.delete(key);
    const { appId, id } = recordOf(key, at);
    this.#queued.push({
      line: ['r', appId, id],
      undo: () => {
        if (!this.#seen.has(key)) this.#seen.set(key, at);
      },
    });
  }

  /** Sets `key` claimed at `at` and queues its line, taking the claim back if the write fails. */
  #queueClaim(appId: string, id: string, at: number): void {
    const key = keyOf(appId, id);
    const before = this.#seen.get(key);
    this.#seen.set(key, at);
    this.#queued.push({
      line: ['c', appId, id, at],
      undo: () => {
        if (this.#seen.get(key) !== at) return;
        if (before === undefined) this.#seen.delete(key);
        else this.#seen.set(key, before);
      },
    });
  }

  /**
   * Adds the ids not seen within INSERT_ID_WINDOW_MS before `at`; resolves with them once
   * they are on disk. If the write fails, they are forgotten again and the call rejects.
   */
  async claim(appId: string, ids: readonly string[], at: Date): Promise<Set<string>> {
    const now = at.getTime();
    this.#lastClaimAt = now;
    const claimed = new Set<string>();
    for (const id of ids) {
      const seenAt = this.#seen.get(keyOf(appId, id));
      if (seenAt !== undefined && seenAt >= now - INSERT_ID_WINDOW_MS) continue;
      this.#queueClaim(appId, id, now);
      claimed.add(id);
    }
    if (claimed.size > 0) await this.#commit();
    return claimed;
  }

  /** Forgets ids claimed by a call whose events could not be stored, so a retry stores them. */
  async release(appId: string, ids: readonly string[]): Promise<void> {
    let removed = 0;
    for (const id of ids) {
      const key = keyOf(appId, id);
      const at = this.#seen.get(key);
      if (at === undefined) continue;
      this.#queueRemoval(key, at);
      removed += 1;
    }
    if (removed > 0) await this.#commit();
  }

  /** Forgets up to `limit` ids seen before `before`; returns how many. */
  async forgetBefore(before: Date, limit: number): Promise<number> {
    const ms = before.getTime();
    const due: [string, number][] = [];
    for (const [key, at] of this.#seen) {
      if (due.length >= limit) break;
      if (at < ms) due.push([key, at]);
    }
    for (const [key, at] of due) this.#queueRemoval(key, at);
    if (due.length > 0) await this.#commit();
    return due.length;
  }

  /** Every remembered id (portable export). */
  records(): InsertIdRecord[] {
    return [...this.#seen].map(([key, at]) => recordOf(key, at));
  }

  /** Adds `records` (portable import) and resolves once they are on disk. */
  async add(records: readonly InsertIdRecord[]): Promise<void> {
    for (const r of records) this.#queueClaim(r.appId, r.id, r.at);
    if (records.length > 0) await this.#commit();
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

  /**
   * One group's write: its lines appended, or the whole file rewritten once it has grown
   * enough or after a failed write. If it fails, its changes leave memory here, before the
   * group commit starts the next write.
   */
  async #write(file: string): Promise<void> {
    const batch = this.#queued;
    this.#queued = [];
    try {
      if (this.#mustRewrite || this.#lines + batch.length > this.#rewriteAbove) await this.#rewrite(file);
      else if (batch.length > 0) await this.#append(file, batch);
    } catch (err) {
      for (let i = batch.length - 1; i >= 0; i--) batch[i]?.undo();
      this.#mustRewrite = true;
      throw err;
    }
  }

  async #append(file: string, batch: readonly Queued[]): Promise<void> {
    const text = batch.map((q) => `${JSON.stringify(q.line)}\n`).join('');
    const handle = await open(file, 'a');
    try {
      await handle.writeFile(text, 'utf8');
      await handle.datasync();
    } finally {
      await handle.close();
    }
    this.#lines += batch.length;
  }

  /**
   * Writes the live ids alone (those older than the window before the last claim dropped),
   * atomically, from a snapshot taken synchronously: a change made during the write is in
   * the next one. The next rewrite comes after twice as many lines.
   */
  async #rewrite(file: string): Promise<void> {
    const cut = this.#lastClaimAt - INSERT_ID_WINDOW_MS;
    for (const [key, at] of this.#seen) if (at < cut) this.#seen.delete(key);
    const keys = [...this.#seen.keys()];
    const ats = Float64Array.from(this.#seen.values());
    await writeFileDurably(file, linesOf(keys, ats));
    this.#mustRewrite = false;
    this.#lines = keys.length;
    this.#rewriteAbove = Math.max(2 * keys.length, MIN_LINES_BEFORE_REWRITE);
  }
}

/** The claim lines of a snapshot, one at a time (the file may be larger than a string can be). */
function* linesOf(keys: readonly string[], ats: Float64Array): Iterable<string> {
  for (let i = 0; i < keys.length; i++) {
    const at = ats[i] as number;
    const { appId, id } = recordOf(keys[i] as string, at);
    yield `${JSON.stringify(['c', appId, id, at])}\n`;
  }
}
