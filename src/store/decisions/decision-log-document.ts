import { appendFile, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir, writeFileDurably } from '../document/durable-json-file.js';
import { type DecisionLog, type RecordedDecision, selectDecisions, trimToBound } from './decision-log.js';

const asLines = (decisions: readonly RecordedDecision[]) =>
  decisions.map((d) => `${JSON.stringify(d)}\n`).join('');

async function readText(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Every line that parses: a crash mid-append leaves at most a torn last line, skipped.
 * `clean` is false when something was skipped or the text does not end a line, so that
 * open() rewrites the file before the next append would run on from a torn line.
 */
function parseLines(text: string): { decisions: RecordedDecision[]; clean: boolean } {
  let clean = text === '' || text.endsWith('\n');
  const decisions = text.split('\n').flatMap((line) => {
    if (line === '') return [];
    try {
      return [JSON.parse(line) as RecordedDecision];
    } catch {
      clean = false;
      return [];
    }
  });
  return { decisions, clean };
}

/**
 * The decision log on the embedded store: `decisions.jsonl`, one sampled decision per
 * line, appended; or in memory (dir null). It used to be one lowdb document rewritten
 * whole for every sampled decision: at the default 1 % of a loaded service, a JSON.stringify
 * and fsync of 6–18 MB several times a second on the event loop, which is what the
 * offerwall's and the banner's p99 paid for (docs/performance.md). A log is appended to; it
 * is rewritten only to drop what the bound no longer keeps, once it holds twice the bound.
 * Lines are not fsynced one by one: a sampled decision is recorded after its response went
 * out and is acknowledged to no one, so a crash may lose the last few (never the file).
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
  /** Appends and rewrites in the order they were asked for: the file never reorders. */
  #writes: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: string | null,
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
    if (dir === null) return new DocumentDecisionLog(null, [], maxPerApi);
    const file = path.join(dir, 'decisions.jsonl');
    // Earlier versions kept the log as one document, decisions.json: taken over once.
    const legacyFile = path.join(dir, 'decisions.json');
    const legacyText = await readText(legacyFile);
    const legacy =
      legacyText === null ? [] : (JSON.parse(legacyText) as { decisions: RecordedDecision[] }).decisions;
    const lines = parseLines((await readText(file)) ?? '');
    const log = new DocumentDecisionLog(file, [...legacy, ...lines.decisions], maxPerApi);
    if (legacyText !== null || !lines.clean) await writeFileDurably(file, asLines(log.#decisions));
    if (legacyText !== null) {
      await rm(legacyFile);
      // Durably gone: back after a crash, its decisions would be taken over a second time.
      await fsyncDir(dir);
    }
    return log;
  }

  async record(decision: RecordedDecision): Promise<void> {
    const copy = structuredClone(decision);
    // Serialized before anything changes: a decision with no JSON form is refused whole.
    const line = `${JSON.stringify(copy)}\n`;
    this.#decisions.push(copy);
    const trimmed = this.#decisions.length > this.#trimAbove;
    if (trimmed) {
      this.#decisions = trimToBound(this.#decisions, this.maxPerApi);
      this.#trimAbove = this.#nextTrim();
    }
    const file = this.file;
    if (file === null) return;
    // A rewrite's content is taken now: a line appended after it is not in it.
    const text = trimmed ? asLines(this.#decisions) : null;
    return this.#queue(() => (text === null ? appendFile(file, line, 'utf8') : writeFileDurably(file, text)));
  }

  #queue(write: () => Promise<void>): Promise<void> {
    const done = this.#writes.then(write);
    this.#writes = done.catch(() => undefined);
    return done;
  }

  async list(appId: string, api?: string, limit?: number): Promise<RecordedDecision[]> {
    const bounded = trimToBound(selectDecisions(this.#decisions, appId, api, undefined), this.maxPerApi);
    return structuredClone(
      limit === undefined ? bounded : bounded.slice(Math.max(0, bounded.length - limit)),
    );
  }

  flush(): Promise<void> {
    return this.#writes;
  }

  close(): Promise<void> {
    return this.#writes;
  }
}
