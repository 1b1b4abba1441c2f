import path from 'node:path';
import { isRecord, isText } from '../document/corrupt-store.js';
import { JsonLinesLog, type LineShape } from '../document/json-lines-log.js';
import { assertSerializable } from '../document/serializable.js';
import { openSingleDocument, removeSingleDocument } from '../document/single-document.js';
import { jsonChars, MAX_DECISION_CHARS_PER_API, withinRecordBounds } from './decision-bounds.js';
import {
  type CharBudget,
  type DecisionLog,
  type RecordedDecision,
  selectDecisions,
  trimToBound,
} from './decision-log.js';

/** A decision as recorded: the keys that listing, explaining and replaying it read. */
const DECISION_LINE: LineShape<RecordedDecision> = {
  what: 'a recorded decision',
  holds: (v): v is RecordedDecision =>
    isRecord(v) &&
    isText(v.appId) &&
    isText(v.api) &&
    isText(v.userId) &&
    isText(v.at) &&
    isText(v.rulesHash) &&
    isRecord(v.request) &&
    isRecord(v.outcome) &&
    isRecord(v.snapshot) &&
    isRecord(v.snapshot.records),
};

/**
 * The decision log on the embedded store: `decisions.jsonl`, one sampled decision per
 * line, appended; or in memory (dir null). It used to be one lowdb document rewritten
 * whole for every sampled decision: at the default 1 % of a loaded service, a JSON.stringify
 * and fsync of 6–18 MB several times a second on the event loop, which is what the
 * offerwall's and the banner's p99 paid for (docs/performance.md). A log is appended to; it
 * is rewritten only to drop what the bound no longer keeps, once it holds twice the bound.
 * The file is a JsonLinesLog, like the store's other logs: appends share writes, a line
 * torn by a crash is cut off on open. A sampled decision is recorded after its response
 * went out and nobody waits for it: a crash may lose the last few, never the file.
 *
 * The bound is per app and API, so what it keeps grows with them: the rewrite comes once
 * the log holds twice what the last trim kept (at least twice the bound), never on every
 * decision. Measured when it compared the whole log with twice one API's bound: with three
 * APIs at their bound every sampled decision rewrote the 17 MB file, and the banner fell
 * from ~3,500 to ~340 req/s with a 1 s p99.
 *
 * The decisions live in memory, so they are bounded in characters too: each part past its
 * cap is left out (withinRecordBounds), and each app and API keeps at most `charsPerApi` of
 * JSON, the log trimmed once it holds twice what the last trim kept, in count or characters.
 */
export class DocumentDecisionLog implements DecisionLog {
  #decisions: RecordedDecision[];
  /** Characters of JSON of each decision held, and their sum. */
  readonly #chars = new WeakMap<RecordedDecision, number>();
  #held = 0;
  /** The log is trimmed (and the file rewritten) once it holds more than this many, or chars. */
  #trimAbove = 0;
  #trimAboveChars = 0;
  readonly #budget: CharBudget;

  private constructor(
    private readonly log: JsonLinesLog<RecordedDecision>,
    decisions: RecordedDecision[],
    private readonly maxPerApi: number,
    charsPerApi: number,
  ) {
    this.#budget = { perApi: charsPerApi, of: (d) => this.#chars.get(d) ?? jsonChars(d) };
    this.#decisions = decisions.map((d) => this.#sized(withinRecordBounds(d)));
    this.#trim();
  }

  /** Remembers what `d` takes. */
  #sized(d: RecordedDecision): RecordedDecision {
    this.#chars.set(d, jsonChars(d));
    return d;
  }

  /** Keeps the bound; the next trim comes at twice what is left, never under twice the bound. */
  #trim(): void {
    this.#decisions = trimToBound(this.#decisions, this.maxPerApi, this.#budget);
    this.#held = this.#decisions.reduce((n, d) => n + this.#budget.of(d), 0);
    this.#trimAbove = 2 * Math.max(this.#decisions.length, this.maxPerApi);
    this.#trimAboveChars = 2 * Math.max(this.#held, this.#budget.perApi);
  }

  static async open(
    dir: string | null,
    maxPerApi: number,
    charsPerApi = MAX_DECISION_CHARS_PER_API,
  ): Promise<DocumentDecisionLog> {
    const decisions: RecordedDecision[] = [];
    const file = dir === null ? null : path.join(dir, 'decisions.jsonl');
    // An earlier version's oversize records are cut as they are read, not held whole.
    const log = await JsonLinesLog.open(file, DECISION_LINE, (d) => decisions.push(withinRecordBounds(d)));
    if (dir === null) return new DocumentDecisionLog(log, decisions, maxPerApi, charsPerApi);
    // Earlier versions kept the log as one document, decisions.json: taken over once. It
    // is removed durably only once its decisions are in the log; a crash in between takes
    // it over again, and its sampled decisions are then in the log twice until trimmed.
    const legacy = await openSingleDocument<{ decisions: RecordedDecision[] }>(dir, 'decisions', {
      decisions: [],
    });
    if (legacy === null) return new DocumentDecisionLog(log, decisions, maxPerApi, charsPerApi);
    const taken = new DocumentDecisionLog(
      log,
      [...legacy.data.decisions, ...decisions],
      maxPerApi,
      charsPerApi,
    );
    await log.rewrite(taken.#decisions);
    await removeSingleDocument(dir, 'decisions');
    return taken;
  }

  record(decision: RecordedDecision): Promise<void> {
    const copy = structuredClone(decision);
    // Refused whole before it joins the log: one with no JSON form would fail every rewrite.
    assertSerializable('a decision', copy);
    const kept = this.#sized(withinRecordBounds(copy));
    this.#decisions.push(kept);
    this.#held += this.#budget.of(kept);
    if (this.#decisions.length <= this.#trimAbove && this.#held <= this.#trimAboveChars) {
      return this.log.append([kept]);
    }
    this.#trim();
    // The content is taken now: a decision recorded after this call is appended after it.
    return this.log.rewrite(this.#decisions);
  }

  async list(appId: string, api?: string, limit?: number): Promise<RecordedDecision[]> {
    const matching = selectDecisions(this.#decisions, appId, api, undefined);
    const bounded = trimToBound(matching, this.maxPerApi, this.#budget);
    return structuredClone(
      limit === undefined ? bounded : bounded.slice(Math.max(0, bounded.length - limit)),
    );
  }

  flush(): Promise<void> {
    return this.log.flush();
  }

  close(): Promise<void> {
    return this.log.flush();
  }
}
