interface Batch {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * Single-flight group commit around a whole-document write.
 *
 * At most one write runs at a time; every commit() arriving meanwhile joins one shared
 * pending batch, served by the next write. A commit() therefore resolves only after a
 * write that started after the call has completed, and rejects if exactly that write failed.
 */
export class GroupCommit {
  readonly #write: () => Promise<void>;
  #pending: Batch | null = null;
  #draining: Promise<void> | null = null;
  #writes = 0;

  constructor(write: () => Promise<void>) {
    // Routing through an async function turns a synchronous throw into a rejection, so
    // the drain loop always yields before finishing and `#draining` is set before it clears.
    this.#write = async () => write();
  }

  /** Number of writes that completed successfully. */
  get writes(): number {
    return this.#writes;
  }

  /** Resolves once a write that started after this call has completed; rejects if that write failed. */
  commit(): Promise<void> {
    this.#pending ??= newBatch();
    const { promise } = this.#pending;
    this.#draining ??= this.#drain();
    return promise;
  }

  /** Resolves when no write is in flight or pending. Never rejects. */
  async flush(): Promise<void> {
    // A waiter woken by the last write may commit again, starting a new drain.
    while (this.#draining) await this.#draining;
  }

  async #drain(): Promise<void> {
    while (this.#pending) {
      const batch = this.#pending;
      this.#pending = null;
      try {
        await this.#write();
        this.#writes++;
        batch.resolve();
      } catch (err) {
        batch.reject(err);
      }
    }
    this.#draining = null;
  }
}
