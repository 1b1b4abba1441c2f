import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CorruptStoreError, isRecord, RESTORE_ADVICE, unreadableFile } from './corrupt-store.js';
import { isMissing, writeFileDurably } from './durable-json-file.js';

/**
 * A log's line record, `<log>.lines` beside it: how many lines the log held, at least,
 * when offerd last wrote it down. A log emptied, deleted, cut at a line boundary or
 * replaced by an older copy from outside opened as if it had never held more, and its
 * records were gone without a word (an operator probe: an emptied `journeys-events.jsonl`
 * took every player's event history). The record never says more than the log holds:
 * JsonLinesLog raises it only after the lines it counts are durable, and lowers it durably
 * before a rewrite that shortens the log (a crash between the two leaves it lower, never
 * higher).
 */
export class LogLineRecord {
  private constructor(
    readonly file: string,
    private recorded: number,
  ) {}

  /** The record of `log` (0 when there is none: a log of an earlier version, or never written). */
  static async read(log: string): Promise<LogLineRecord> {
    const file = `${log}.lines`;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if (isMissing(err)) return new LogLineRecord(file, 0);
      throw unreadableFile(file, err);
    }
    const value = parseRecord(text);
    if (value === null)
      throw new CorruptStoreError(
        `${file}: not the line record offerd writes (${JSON.stringify(text.slice(0, 60))}): delete it to start with what ${path.basename(log)} holds`,
      );
    return new LogLineRecord(file, value);
  }

  get lines(): number {
    return this.recorded;
  }

  /** Refuses a log that holds fewer lines than recorded (`exists`: whether the file is there at all). */
  check(log: string, lines: number, exists: boolean): void {
    if (lines >= this.recorded) return;
    const what = exists
      ? `holds ${lines} whole lines where it held at least ${this.recorded}`
      : `is missing where it held at least ${this.recorded} lines`;
    throw new CorruptStoreError(
      `${log}: ${what} (${path.basename(this.file)}): it was emptied, cut short, deleted or replaced from ` +
        `outside, and the records of the missing lines would be lost without a word. ${RESTORE_ADVICE}; or, to ` +
        `start with what it holds, delete ${this.file}`,
    );
  }

  /** Whether the log has grown enough past the record to write it down again (a tenth, at least one line). */
  behind(lines: number): boolean {
    return lines >= this.recorded + Math.max(1, Math.floor(this.recorded / 10));
  }

  /** Writes `lines` down, durably. The caller holds the log's write turn (GroupCommit). */
  async write(lines: number): Promise<void> {
    await writeFileDurably(this.file, `${JSON.stringify({ lines })}\n`);
    this.recorded = lines;
  }
}

function parseRecord(text: string): number | null {
  try {
    const value: unknown = JSON.parse(text);
    const lines = isRecord(value) ? value.lines : undefined;
    return typeof lines === 'number' && Number.isSafeInteger(lines) && lines >= 0 ? lines : null;
  } catch {
    return null;
  }
}
