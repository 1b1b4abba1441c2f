import path from 'node:path';
import { JsonLinesLog } from '../document/json-lines-log.js';
import { assertSerializable } from '../document/serializable.js';
import { openSingleDocument, removeSingleDocument } from '../document/single-document.js';
import { type DecisionLog, type RecordedDecision, selectDecisions, trimToBound } from './decision-log.js';

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
 */
export class DocumentDecisionLog implements DecisionLog {
  #decisions: RecordedDecision[];
  /** The log is trimmed (and the file rewritten) once it holds more than this many. */
  #trimAbove: number;

  private constructor(
    private readonly log: JsonLinesLog<RecordedDecision>,
    decisions: RecordedDecision[],
    private readonly maxPerApi: number,
  ) {
    this.#decisions = trimToBound(decisions, maxPerApi);
    this.#trimAbove = this.#nextTrim();
  }

  /** Twice what the log holds after a trim, and never under twice the bound. */
  #nextTrim(): number {
    return 2 * Math.max(this.#decisions.length, this.maxPerApi);
  }

  static async open(dir: string | null, maxPerApi: number): Promise<DocumentDecisionLog> {
    const decisions: RecordedDecision[] = [];
    const file = dir === null ? null : path.join(dir, 'decisions.jsonl');
    const log = await JsonLinesLog.open<RecordedDecision>(file, (d) => decisions.push(d));
    if (dir === null) return new DocumentDecisionLog(log, decisions, maxPerApi);
    // Earlier versions kept the log as one document, decisions.json: taken over once. It
    // is removed durably only once its decisions are in the log; a crash in between takes
    // it over again, and its sampled decisions are then in the log twice until trimmed.
    const legacy = await openSingleDocument<{ decisions: RecordedDecision[] }>(dir, 'decisions', {
      decisions: [],
    });
    if (legacy === null) return new DocumentDecisionLog(log, decisions, maxPerApi);
    const taken = new DocumentDecisionLog(log, [...legacy.data.decisions, ...decisions], maxPerApi);
    await log.rewrite(taken.#decisions);
    await removeSingleDocument(dir, 'decisions');
    return taken;
  }

  record(decision: RecordedDecision): Promise<void> {
    const copy = structuredClone(decision);
    // Refused whole before it joins the log: one with no JSON form would fail every rewrite.
    assertSerializable('a decision', copy);
    this.#decisions.push(copy);
    if (this.#decisions.length <= this.#trimAbove) return this.log.append([copy]);
    this.#decisions = trimToBound(this.#decisions, this.maxPerApi);
    this.#trimAbove = this.#nextTrim();
    // The content is taken now: a decision recorded after this call is appended after it.
    return this.log.rewrite(this.#decisions);
  }

  async list(appId: string, api?: string, limit?: number): Promise<RecordedDecision[]> {
    const bounded = trimToBound(selectDecisions(this.#decisions, appId, api, undefined), this.maxPerApi);
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
