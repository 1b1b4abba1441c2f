import type { Logger } from 'pino';
import {
  KEPT_PER_APP,
  type KeptSnapshotEntry,
  type LastGoodRules,
  type LastGoodSnapshot,
} from '../store/last-good-rules.js';
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
  /**
   * Each app's kept snapshots as the store held them at start plus what this keeper put since:
   * GET /admin/rules reads them here, not from the store, so it answers while the database is
   * down (it did before the list existed; a CI run caught the 503).
   */
  readonly #kept = new Map<string, KeptSnapshotEntry[]>();

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
    const keep = async () => {
      await this.kept.put(appId, { hash, files });
      const before = (this.#kept.get(appId) ?? []).filter((k) => k.hash !== hash);
      this.#kept.set(appId, [{ hash, at: new Date().toISOString() }, ...before].slice(0, KEPT_PER_APP));
    };
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

  /** A kept snapshot of the app, by hash, from the store (a rollback of one this process never loaded). */
  find(appId: string, hash: string): Promise<LastGoodSnapshot | null> {
    return this.kept.find(appId, hash);
  }

  /** Reads every app's kept snapshots from the store, once at start (see list). */
  private async load(): Promise<void> {
    for (const appId of this.registry.appIds()) {
      const stored = await this.kept.kept(appId);
      // Puts made meanwhile (the start's own activations) are newer than what was read.
      const mine = this.#kept.get(appId) ?? [];
      const older = stored.filter((k) => !mine.some((m) => m.hash === k.hash));
      this.#kept.set(appId, [...mine, ...older].slice(0, KEPT_PER_APP));
    }
  }

  /** The app's kept snapshots, the newest first, without asking the store. */
  list(appId: string): KeptSnapshotEntry[] {
    return this.#kept.get(appId) ?? [];
  }

  /**
   * At start: serves the kept snapshot of every app still without rules (its files failed at
   * this start), then reads the apps' kept snapshots for `list`.
   */
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
    // Then what the store keeps, once the start's own activations are written (see list).
    await this.#writes;
    await this.load();
  }
}
