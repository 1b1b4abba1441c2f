import type { Background } from '../../store/api-store-adapters.js';
import { INSERT_ID_WINDOW_MS, type ProfileStore } from './profile-store.js';

/** How often expired insert ids are deleted on PostgreSQL. */
export const INSERT_ID_PRUNE_INTERVAL_MS = 3_600_000;
/** Rows per DELETE: each statement stays short and holds few row locks; a round loops until a batch is not full. */
const PRUNE_BATCH = 10_000;

export interface PrunerOptions {
  intervalMs: number;
  now: () => Date;
  onError: (err: Error) => void;
}

/**
 * Deletes the `$insert_id`s older than INSERT_ID_WINDOW_MS in the background, so the
 * de-duplication table holds at most a window's worth of ids (a retry older than the
 * window counts again anyway). Every instance runs one; their deletes do not conflict.
 */
export class InsertIdPruner implements Background {
  private readonly timer: NodeJS.Timeout;
  private running: Promise<number> = Promise.resolve(0);

  constructor(
    private readonly store: Pick<ProfileStore, 'pruneInsertIds'>,
    private readonly options: PrunerOptions,
  ) {
    this.timer = setInterval(() => void this.prune(), options.intervalMs).unref();
  }

  /** One pruning round, batch after batch until none is full; returns how many ids went. */
  prune(): Promise<number> {
    this.running = this.running
      .then(() => this.round())
      .catch((err: Error) => {
        this.options.onError(
          new Error(`pruning expired insert ids failed (retried next round): ${err.message}`),
        );
        return 0;
      });
    return this.running;
  }

  private async round(): Promise<number> {
    const before = new Date(this.options.now().getTime() - INSERT_ID_WINDOW_MS);
    let total = 0;
    for (;;) {
      const removed = await this.store.pruneInsertIds(before, PRUNE_BATCH);
      total += removed;
      if (removed < PRUNE_BATCH) return total;
    }
  }

  async flush(): Promise<void> {
    await this.running;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
