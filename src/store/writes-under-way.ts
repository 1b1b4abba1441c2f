/**
 * Records (or their keys) whose write is under way, each with the promise of that write:
 * what a later write that depends on one of them waits for, so that nothing is
 * acknowledged, or put on disk, before what it rests on is (the journeys store: an event
 * after its new user, a duplicate after the event it repeats; a tracked event's insert id
 * after the events it was claimed for). An entry leaves when its write settles.
 */
export class WritesUnderWay<K = object> {
  readonly #writes = new Map<K, Promise<void>>();

  /** Remembers `record` until `write` settles; returns the write, its failure handled. */
  track(record: K, write: Promise<void>): Promise<void> {
    const settled = write.finally(() => {
      if (this.#writes.get(record) === settled) this.#writes.delete(record);
    });
    // Awaited by whoever needs it; a failure is theirs to report, not an unhandled rejection.
    settled.catch(() => {});
    this.#writes.set(record, settled);
    return settled;
  }

  /**
   * The writes under way for any of `records`, settled together (never rejects), or null
   * when there are none. A caller that may go on only once none is under way loops until
   * null, in the turn it goes on in: others may start while it waits.
   */
  underWay(records: readonly K[]): Promise<unknown> | null {
    const pending = new Set(records.flatMap((r) => this.#writes.get(r) ?? []));
    return pending.size === 0 ? null : Promise.allSettled(pending);
  }

  /** The write under way for `record`, if any. */
  of(record: K): Promise<void> | undefined {
    return this.#writes.get(record);
  }
}
