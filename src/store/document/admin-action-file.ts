import path from 'node:path';
import {
  type ActionLog,
  type LoggedAction,
  rollbacksInForce,
  type SharedAction,
} from '../admin-action-log.js';
import { isRecord, isText } from './corrupt-store.js';
import { JsonLinesLog, type LineShape } from './json-lines-log.js';

/** One line of `admin-actions.jsonl`. */
interface Line {
  seq: number;
  origin: string;
  action: SharedAction;
}

/** An action as the log writes it: what rollbacksInForce and the follower read of it. */
function isAction(a: unknown): a is SharedAction {
  if (!isRecord(a)) return false;
  if (a.kind === 'reload') return a.appId === null || isText(a.appId);
  if (a.kind === 'rollback')
    return isText(a.appId) && isText(a.hash) && (a.files === null || Array.isArray(a.files));
  return a.kind === 'catalog' && isText(a.appId) && Number.isSafeInteger(a.wallId);
}

const LINE: LineShape<Line> = {
  what: 'an admin action',
  holds: (v): v is Line =>
    isRecord(v) && Number.isSafeInteger(v.seq) && isText(v.origin) && isAction(v.action),
};

/**
 * The admin action log of the embedded store: `<data dir>/admin-actions.jsonl`, so that a
 * rollback and its pin outlive a restart (a deploy, a crash) as they do on PostgreSQL, where
 * the log is shared. Before it, a restarted instance served its files again: the very change
 * an account manager had rolled back in an emergency, without a word.
 *
 * One process reads and writes it (the data dir is locked, DataDirLock), and its one reader,
 * AdminActionFollower, only moves forward: entries at or before the cursor it passes are
 * dropped from memory, and reading before them again throws. On open the file is cut down
 * to the rollbacks in force (renumbered from 1), so it holds at most one snapshot's texts
 * per app however many admin calls came before.
 */
export class AdminActionFile implements ActionLog {
  /** Entries after `#trimmed`, in order. */
  #entries: LoggedAction[] = [];
  #trimmed = 0;
  #head = 0;
  /** The last number handed out (an append still being written included). */
  #numbered = 0;
  #inForce: Map<string, LoggedAction>;

  private constructor(
    private readonly log: JsonLinesLog<Line>,
    inForce: Map<string, LoggedAction>,
  ) {
    this.#inForce = inForce;
    this.#head = inForce.size;
    this.#numbered = this.#head;
    this.#trimmed = this.#head;
  }

  /** Opens the file under `dir` (null: in memory, nothing kept). */
  static async open(dir: string | null): Promise<AdminActionFile> {
    const replayed: LoggedAction[] = [];
    const log = await JsonLinesLog.open(
      dir === null ? null : path.join(dir, 'admin-actions.jsonl'),
      LINE,
      (l) => replayed.push({ seq: l.seq, origin: l.origin, action: l.action }),
    );
    const kept = [...rollbacksInForce(replayed).values()].map((e, i) => ({ ...e, seq: i + 1 }));
    if (kept.length !== replayed.length) await log.rewrite(kept);
    return new AdminActionFile(log, new Map(kept.map((e) => [(e.action as { appId: string }).appId, e])));
  }

  async append(action: SharedAction, origin: string, cursor: number): Promise<LoggedAction[]> {
    // Numbered at the call: the log writes lines in call order, so they come back in it.
    const entry: LoggedAction = { seq: ++this.#numbered, origin, action };
    // Durable before it counts: a failed write leaves the log and this instance as they were
    // (its number is skipped; numbers only order the entries).
    await this.log.append([entry]);
    this.#head = entry.seq;
    this.#entries.push(entry);
    this.#inForce = rollbacksInForce([...this.#inForce.values(), entry]);
    return this.#since(cursor).filter((e) => e.seq <= entry.seq);
  }

  async current(): Promise<{ head: number; rollbacks: LoggedAction[] }> {
    return { head: this.#head, rollbacks: [...this.#inForce.values()] };
  }

  async after(seq: number): Promise<LoggedAction[]> {
    return this.#since(seq);
  }

  #since(cursor: number): LoggedAction[] {
    if (cursor < this.#trimmed)
      throw new Error(`admin actions before #${this.#trimmed} are no longer held (asked from #${cursor})`);
    this.#entries = this.#entries.filter((e) => e.seq > cursor);
    this.#trimmed = cursor;
    return [...this.#entries];
  }

  flush(): Promise<void> {
    return this.log.flush();
  }
}
