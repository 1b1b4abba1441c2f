import { CollectionFile } from '../document/collection-file.js';
import { type DecisionLog, type RecordedDecision, selectDecisions, trimToBound } from './decision-log.js';

interface Document {
  decisions: RecordedDecision[];
}

/**
 * The decision log as one lowdb document (`decisions.json`), or in memory (dir null).
 * Records are appended in memory at once and written behind by the file's group commit,
 * so a burst of sampled decisions costs one write.
 */
export class DocumentDecisionLog implements DecisionLog {
  private constructor(
    private readonly file: CollectionFile<Document>,
    private readonly maxPerApi: number,
  ) {}

  static async open(dir: string | null, maxPerApi: number): Promise<DocumentDecisionLog> {
    const file = await CollectionFile.open<Document>(dir, 'decisions', { decisions: [] });
    return new DocumentDecisionLog(file, maxPerApi);
  }

  async record(decision: RecordedDecision): Promise<void> {
    const data = this.file.data;
    data.decisions.push(structuredClone(decision));
    // Trim only when well over the bound, so appends stay O(1) amortised.
    if (data.decisions.length > this.maxPerApi * 2) {
      data.decisions = trimToBound(data.decisions, this.maxPerApi);
    }
    await this.file.commit();
  }

  async list(appId: string, api?: string, limit?: number): Promise<RecordedDecision[]> {
    const bounded = trimToBound(
      selectDecisions(this.file.data.decisions, appId, api, undefined),
      this.maxPerApi,
    );
    return structuredClone(
      limit === undefined ? bounded : bounded.slice(Math.max(0, bounded.length - limit)),
    );
  }

  flush(): Promise<void> {
    return this.file.flush();
  }

  close(): Promise<void> {
    return this.file.flush();
  }
}
