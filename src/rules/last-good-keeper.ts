import type { Logger } from 'pino';
import type { LastGoodRules } from '../store/last-good-rules.js';
import type { RulesRegistry } from './rules-registry.js';
import type { ReloadOutcome } from './rules-status.js';

/**
 * Between the registry and the store's LastGoodRules: what goes live from an app's files is
 * kept in the store (a write that fails is logged, serving goes on), and at start an app
 * whose files fail serves what was kept, so a broken file left on disk no longer takes the
 * app down at the next restart (docs/rules.md, "A broken change").
 */
export class LastGoodKeeper {
  /**
   * The writes, one after another: two activations close together, written at once, could
   * commit in the other order on PostgreSQL and leave the older snapshot kept.
   */
  #writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly registry: RulesRegistry,
    private readonly kept: LastGoodRules,
    private readonly logger: Logger,
  ) {}

  /** The registry's observer: keeps each snapshot activated from files. */
  observe(outcome: ReloadOutcome): void {
    if (outcome.result !== 'activated') return;
    const { appId, hash } = outcome;
    const files = this.registry.snapshotFiles(appId, hash);
    if (!files) return;
    const keep = () => this.kept.put(appId, { hash, files });
    this.#writes = this.#writes
      .then(keep)
      .catch((err: unknown) =>
        this.logger.warn(
          { err, appId, hash },
          'the rules that went live could not be kept in the store: a restart with broken files would serve none',
        ),
      );
  }

  /** Resolves once every snapshot handed to it so far is kept (or its failure logged). */
  flush(): Promise<void> {
    return this.#writes;
  }

  /** Serves the kept snapshot of every app still without rules (its files failed at this start). */
  async restoreMissing(): Promise<void> {
    for (const appId of this.registry.appIds()) {
      if (this.registry.current(appId)) continue;
      const snapshot = await this.kept.get(appId);
      const restored = snapshot && (await this.registry.restore(appId, snapshot));
      if (restored)
        this.logger.warn(
          { appId, hash: restored.hash, version: restored.version },
          "the app's rule files fail to load: serving the rules it last went live with, kept in the store, until they are fixed",
        );
    }
  }
}
