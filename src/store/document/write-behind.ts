/** What can be written behind: a collection file. */
interface Committable {
  commit(): Promise<void>;
}

/**
 * Commits files a little later instead of on every change, for data no response
 * promises to have saved (a user's last-seen time): under load a large shard is then
 * rewritten about once per `delayMs` instead of once per request. flush() commits
 * whatever is still waiting; a crash can lose at most the last `delayMs` of such data.
 */
export class WriteBehind {
  private readonly timers = new Map<Committable, NodeJS.Timeout>();
  private failure: unknown = null;

  constructor(private readonly delayMs: number) {}

  schedule(file: Committable): void {
    if (this.timers.has(file)) return;
    // Between half the delay and the delay: files dirtied in the same instant (under load,
    // every banner shard right after a flush) are then not all rewritten in one burst.
    const wait = this.delayMs * (0.5 + Math.random() / 2);
    const timer = setTimeout(() => {
      this.timers.delete(file);
      file.commit().catch((err: unknown) => {
        // Kept for the next flush: the data is still in memory and goes out with the next commit.
        this.failure = err;
      });
    }, wait);
    // A pending write must not keep the process alive; stop() flushes it.
    timer.unref();
    this.timers.set(file, timer);
  }

  /** Commits every scheduled file now; rejects if a write-behind failed since the last flush. */
  async flush(): Promise<void> {
    const files = [...this.timers.keys()];
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.all(files.map((f) => f.commit()));
    const failure = this.failure;
    this.failure = null;
    if (failure) throw failure;
  }
}
