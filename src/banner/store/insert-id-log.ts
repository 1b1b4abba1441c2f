import path from 'node:path';
import { JsonLinesLog, type LineShape } from '../../store/document/json-lines-log.js';
import { WritesUnderWay } from '../../store/writes-under-way.js';
import { InsertIdSet } from './insert-id-set.js';
import { INSERT_ID_WINDOW_MS } from './profile-store.js';

export interface InsertIdRecord {
  appId: string;
  id: string;
  /** ms since the epoch */
  at: number;
}

/** A line of the log: an id claimed at an instant, or released. */
type Line = ['c', string, string, number] | ['r', string, string];

/** A claim (`c`, app, id, when) or a release (`r`, app, id). */
const LINE: LineShape<Line> = {
  what: 'an insert id claim or release',
  holds: (v): v is Line =>
    Array.isArray(v) &&
    typeof v[1] === 'string' &&
    typeof v[2] === 'string' &&
    ((v[0] === 'c' && v.length === 4 && Number.isFinite(v[3])) || (v[0] === 'r' && v.length === 3)),
};

// App ids never contain a newline (they are validated), so joined keys cannot collide.
// Only for the claims under way: the ids held are kept per app (see InsertIdSet).
const keyOf = (appId: string, id: string): string => `${appId}\n${id}`;

/**
 * Ids held per app: the oldest beyond it are forgotten (a retry of theirs is stored again).
 * One client with an app's public key can send ids as fast as it likes, so the 7-day
 * window alone bounded nothing: 100,000 ids of a probe stayed on the heap for good.
 * Measured through /track (heap after GC, 100,000 ids in batches of 50, 10 at a time):
 * ~130 bytes an id of 36 characters (a UUID), ~350 at the 255 allowed; so at most ~65 MB
 * per app, ~175 MB with the longest ids. A real app's retries come within minutes (the
 * Unity SDK backs off for minutes, the node SDK retries a request): at 7 events a second
 * the bound still spans 20 hours of ids, at 100 a second 83 minutes. Busier apps belong on
 * PostgreSQL, whose table holds the whole window on disk (pruned hourly), not in memory.
 */
export const MAX_INSERT_IDS_PER_APP = 500_000;

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
 * at most MAX_INSERT_IDS_PER_APP per app, the oldest dropped first (an id dropped so is
 * forgotten at the next rewrite and on open, as an expired one).
 */
export class InsertIdLog {
  /** App and id → when claimed (ms). Check-and-set is synchronous, so concurrent claims cannot both win. */
  readonly #seen: InsertIdSet;
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

  private constructor(seen: InsertIdSet, log: JsonLinesLog<Line>) {
    this.#seen = seen;
    this.#log = log;
  }

  /**
   * Opens the log in `dir` (null: memory only) with `adopted` ids (an earlier version's,
   * kept in the profile documents) added; rewrites the file when ids were adopted, so they
   * are in it before the caller drops them from where they were.
   */
  static async open(
    dir: string | null,
    adopted: readonly InsertIdRecord[] = [],
    maxPerApp = MAX_INSERT_IDS_PER_APP,
  ): Promise<InsertIdLog> {
    const file = dir === null ? null : path.join(dir, 'banner-insert-ids.jsonl');
    const seen = new InsertIdSet(maxPerApp);
    const log = await JsonLinesLog.open(file, LINE, (line) => {
      if (line[0] === 'c') seen.set(line[1], line[2], line[3]);
      else seen.delete(line[1], line[2]);
    });
    for (const r of adopted) {
      // The later of the two claims, if the log has the id already (a take-over redone after a crash).
      if (!((seen.get(r.appId, r.id) ?? Number.NEGATIVE_INFINITY) >= r.at)) seen.set(r.appId, r.id, r.at);
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
      const before = this.#seen.get(appId, id);
      if (before !== undefined && before >= now - INSERT_ID_WINDOW_MS) return;
      undos.push(this.#set(appId, id, now));
      claimed.add(id);
      claimedKeys.push(keys[i] as string);
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

  /** Sets the id claimed at `at`; returns how to take that back (a no-op once a later claim replaced it). */
  #set(appId: string, id: string, at: number): () => void {
    const before = this.#seen.get(appId, id);
    this.#seen.set(appId, id, at);
    return () => {
      if (this.#seen.get(appId, id) !== at) return;
      if (before === undefined) this.#seen.delete(appId, id);
      else this.#seen.set(appId, id, before);
    };
  }

  /** Forgets up to `limit` ids seen before `before`; returns how many. */
  async forgetBefore(before: Date, limit: number): Promise<number> {
    const ms = before.getTime();
    const due: InsertIdRecord[] = [];
    for (const [appId, id, at] of this.#seen.entries()) {
      if (due.length >= limit) break;
      if (at < ms) due.push({ appId, id, at });
    }
    await this.#forget(due);
    return due.length;
  }

  /** Every remembered id (portable export). */
  records(): InsertIdRecord[] {
    return Array.from(this.#seen.entries(), ([appId, id, at]) => ({ appId, id, at }));
  }

  /** Adds `records` (portable import) and resolves once they are on disk. */
  async add(records: readonly InsertIdRecord[]): Promise<void> {
    const undos = records.map((r) => this.#set(r.appId, r.id, r.at));
    const lines = records.map((r): Line => ['c', r.appId, r.id, r.at]);
    if (lines.length > 0) await this.#write(lines, () => undoAll(undos));
  }

  flush(): Promise<void> {
    return this.#log.flush();
  }

  /** Removes `due` (releases or expiries) and writes their lines, restoring them if the write fails. */
  async #forget(due: readonly InsertIdRecord[]): Promise<void> {
    if (due.length === 0) return;
    for (const r of due) this.#seen.delete(r.appId, r.id);
    const lines = due.map((r): Line => ['r', r.appId, r.id]);
    await this.#write(lines, () => {
      for (const r of due)
        if (this.#seen.get(r.appId, r.id) === undefined) this.#seen.set(r.appId, r.id, r.at);
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
    for (const [appId, id, at] of this.#seen.entries()) {
      if (at < cut) this.#seen.delete(appId, id);
      // Its line follows once its events are stored: on disk before them, a crash would
      // leave a claim whose events are lost.
      else if (this.#awaitingEvents.size > 0 && this.#awaitingEvents.has(keyOf(appId, id))) continue;
      else yield ['c', appId, id, at];
    }
  }
}

const rewriteLimit = (lines: number): number => Math.max(2 * lines, MIN_LINES_BEFORE_REWRITE);

function undoAll(undos: readonly (() => void)[]): void {
  for (let i = undos.length - 1; i >= 0; i--) undos[i]?.();
}
