import type { Logger } from 'pino';

/**
 * A failure that repeats while its cause lasts (the shared admin actions read every 500 ms
 * while PostgreSQL is down, a sampled decision per request while the disk is full), logged
 * when it starts (with its error), then at most once per `everyMs` with how many so far, and
 * once when it ends: a warning with a stack per attempt flooded the log (1,125 lines in 10 s,
 * an operator probe) and buried the line that said why.
 */
export class RepeatedFailure {
  #since: number | null = null;
  #failures = 0;
  #loggedAt = 0;

  constructor(
    private readonly logger: Pick<Logger, 'warn' | 'info'>,
    private readonly what: string,
    private readonly everyMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  failed(err: unknown, fields: Record<string, unknown> = {}): void {
    this.#failures++;
    const at = this.now();
    if (this.#since === null) {
      this.#since = at;
      this.#loggedAt = at;
      this.logger.warn({ err, ...fields }, this.what);
    } else if (at - this.#loggedAt >= this.everyMs) {
      this.#loggedAt = at;
      const message = err instanceof Error ? err.message : String(err);
      this.logger.warn(
        { ...fields, cause: message, failures: this.#failures, sinceMs: at - this.#since },
        `${this.what} (still failing)`,
      );
    }
  }

  succeeded(): void {
    if (this.#since === null) return;
    this.logger.info(
      { failures: this.#failures, forMs: this.now() - this.#since },
      `${this.what}: recovered`,
    );
    this.#since = null;
    this.#failures = 0;
  }
}
