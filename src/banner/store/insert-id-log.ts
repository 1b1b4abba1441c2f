import path from 'node:path';
import { JsonLinesLog } from '../../store/document/json-lines-log.js';
import { WritesUnderWay } from '../../store/writes-under-way.js';
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

/**
 * The `$insert_id`s of tracked events on the embedded store, in `banner-insert-ids.jsonl`
 * (a JsonLinesLog): a claim appends one line per id and resolves once it is on disk
 * (concurrent claims share a write). The node SDK sends an id with every event, so this
 * set grows with the traffic of the de-duplication window: kept in a document, each claim
 * rewrote every id (16 ms at 300,000 ids; 5.6 ms with the document in 64 shards), now it
 * costs its own lines. The file is rewritten from memory, without the expired and released
 * ids, once it holds more than twice the live ones, so a rewrite comes after at least as
 * many appends as it writes lines.
 *
 * A write that fails takes its claims back out of memory before the next write starts
 * (the log runs each call's undo then), so a rewrite from memory never puts them on disk;
 * the log cuts off whatever the failed write left in the file. The ids live in memory,
 * ~180 bytes each: about 700 MB for 4 million ids in the window (7 events a second);
 * beyond that, PostgreSQL.
 */
export class InsertIdLog {
  /** App and id → when claimed (ms). Check-and-set is synchronous, so concurrent claims cannot both win. */
  readonly #seen = new Map<string, number>();
  readonly #log: JsonLinesLog<Line>;
  /**
   * How many lines the file may hold before the next write rewrites it: after an open, the
   * first write past MIN_LINES_BEFORE_REWRITE (the file's expired ids are dropped then).
   */
  #rewriteAbove = MIN_LINES_BEFORE_REWRITE;
  /** Claims not yet on disk (their events, then their lines, being written): no other call's to take. */
  readonly #claiming = new WritesUnderWay<string>();
  /** Of those, the claims whose events are still being written: a rewrite leaves them out. */
  readonly #awaitingEvents = new Set<string>();
  /** The last claim's instant: a rewrite drops the ids older than the window before it. */
  #lastClaimAt = Number.NEGATIVE_INFINITY;

  private constructor(seen: Map<string, number>, log: JsonLinesLog<Line>) {
    this.#seen = seen;
    this.#log = log;
  }

  /**
   * Opens the log in `dir` (null: memory only) with `adopted` ids (an earlier version's,
   * kept in the profile documents) added; rewrites the file when ids were adopted, so they
   * are in it before the caller drops them from where they were.
   */
  static async open(dir: string | null, adopted: readonly InsertIdRecord[] = []): Promise<InsertIdLog> {
    const file = dir === null ? null : path.join(dir, 'banner-insert-ids.jsonl');
    const seen = new Map<string, number>();
    const log = await JsonLinesLog.open<Line>(file, (line) => {
      if (line[0] === 'c') seen.set(keyOf(line[1], line[2]), line[3]);
      else seen.delete(keyOf(line[1], line[2]));
    });
    for (const r of adopted) {
      // The later of the two claims, if the log has the id already (a take-over redone after a crash).
      const key = keyOf(r.appId, r.id);
      if (!((seen.get(key) ?? Number.NEGATIVE_INFINITY) >= r.at)) seen.set(key, r.at);
    }
    const ids = new InsertIdLog(seen, log);
    if (adopted.length > 0) await ids.#write([], () => {}, true);
    return ids;
  }

  /**
   * Adds the ids not seen within INSERT_ID_WINDOW_MS before `at`, runs `store` with them,
   * and only then writes their lines: resolves with them once both are on disk. A crash
   * before their lines are written loses the claims, not the events: a retry stores them
   * again (at least once) instead of being answered as a duplicate of events that were
   * never stored. If `store` or the write fails, the claims are forgotten and the call
   * rejects. An id whose claim is still waiting on its events is claimed by no other call
   * until that settles: stored, the other call sees a duplicate; failed, it claims it.
   */
  async claim(
    appId: string,
    ids: readonly string[],
    at: Date,
    store: (claimed: ReadonlySet<string>) => Promise<void> = async () => {},
  ): Promise<Set<string>> {
    const keys = ids.map((id) => keyOf(appId, id));
    for (let busy = this.#claiming.underWay(keys); busy; busy = this.#claiming.underWay(keys)) await busy;
    // From here to the store call, nothing awaits: the check and the claim are one step.
    const now = at.getTime();
    this.#lastClaimAt = now;
    const claimed = new Set<string>();
    const claimedKeys: string[] = [];
    const undos: (() => void)[] = [];
    ids.forEach((id, i) => {
      const key = keys[i] as string;
      const before = this.#seen.get(key);
      if (before !== undefined && before >= now - INSERT_ID_WINDOW_MS) return;
      undos.push(this.#set(key, now));
      claimed.add(id);
      claimedKeys.push(key);
    });
    for (const key of claimedKeys) this.#awaitingEvents.add(key);
    const lines = [...claimed].map((id): Line => ['c', appId, id, now]);
    const done = this.#storeThenWrite(claimed, claimedKeys, lines, () => undoAll(undos), store);
    for (const key of claimedKeys) this.#claiming.track(key, done);
    await done;
    return claimed;
  }

  async #storeThenWrite(
    claimed: ReadonlySet<string>,
    keys: readonly string[],
    lines: Line[],
    undo: () => void,
    store: (claimed: ReadonlySet<string>) => Promise<void>,
  ): Promise<void> {
    try {
      await store(claimed);
    } catch (err) {
      undo();
      throw err;
    } finally {
      for (const key of keys) this.#awaitingEvents.delete(key);
    }
    if (lines.length > 0) await this.#write(lines, undo);
  }

  /** Sets `key` claimed at `at`; returns how to take that back (a no-op once a later claim replaced it). */
  #set(key: string, at: number): () => void {
    const before = this.#seen.get(key);
    this.#seen.set(key, at);
    return () => {
      if (this.#seen.get(key) !== at) return;
      if (before === undefined) this.#seen.delete(key);
      else this.#seen.set(key, before);
    };
  }

  /** Forgets up to `limit` ids seen before `before`; returns how many. */
  async forgetBefore(before: Date, limit: number): Promise<number> {
    const ms = before.getTime();
    const due: [string, number][] = [];
    for (const [key, at] of this.#seen) {
      if (due.length >= limit) break;
      if (at < ms) due.push([key, at]);
    }
    await this.#forget(due);
    return due.length;
  }

  /** Every remembered id (portable export). */
  records(): InsertIdRecord[] {
    return [...this.#seen].map(([key, at]) => recordOf(key, at));
  }

  /** Adds `records` (portable import) and resolves once they are on disk. */
  async add(records: readonly InsertIdRecord[]): Promise<void> {
    const undos = records.map((r) => this.#set(keyOf(r.appId, r.id), r.at));
    const lines = records.map((r): Line => ['c', r.appId, r.id, r.at]);
    if (lines.length > 0) await this.#write(lines, () => undoAll(undos));
  }

  flush(): Promise<void> {
    return this.#log.flush();
  }

  /** Removes `due` (releases or expiries) and writes their lines, restoring them if the write fails. */
  async #forget(due: readonly [string, number][]): Promise<void> {
    if (due.length === 0) return;
    for (const [key] of due) this.#seen.delete(key);
    const lines = due.map(([key, at]): Line => {
      const { appId, id } = recordOf(key, at);
      return ['r', appId, id];
    });
    await this.#write(lines, () => {
      for (const [key, at] of due) if (!this.#seen.has(key)) this.#seen.set(key, at);
    });
  }

  /**
   * Appends `lines`, or rewrites the file from memory once it would hold more than
   * #rewriteAbove lines: the live ids alone (those older than the window before the last
   * claim dropped), read when the write runs. The next rewrite comes after twice as many.
   */
  async #write(lines: Line[], undo: () => void, rewrite = false): Promise<void> {
    if (!rewrite && this.#log.lines + lines.length <= this.#rewriteAbove) {
      await this.#log.append(lines, undo);
      return;
    }
    await this.#log.rewrite(() => this.#liveLines(), undo);
    this.#rewriteAbove = rewriteLimit(this.#log.lines);
  }

  *#liveLines(): Iterable<Line> {
    const cut = this.#lastClaimAt - INSERT_ID_WINDOW_MS;
    // Deleting the entry a Map iteration stands on is allowed; the iteration goes on.
    for (const [key, at] of this.#seen) {
      if (at < cut) this.#seen.delete(key);
      // Its line follows once its events are stored: on disk before them, a crash would
      // leave a claim whose events are lost.
      else if (this.#awaitingEvents.has(key)) continue;
      else {
        const { appId, id } = recordOf(key, at);
        yield ['c', appId, id, at];
      }
    }
  }
}

const rewriteLimit = (lines: number): number => Math.max(2 * lines, MIN_LINES_BEFORE_REWRITE);

function undoAll(undos: readonly (() => void)[]): void {
  for (let i = undos.length - 1; i >= 0; i--) undos[i]?.();
}
