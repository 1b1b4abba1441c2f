import type { Logger } from 'pino';
import {
  KEPT_PER_APP,
  type KeptSnapshotEntry,
  type LastGoodRules,
  type LastGoodSnapshot,
} from '../store/last-good-rules.js';
import type { RulesRegistry } from './rules-registry.js';
import { liveHash, type ReloadOutcome } from './rules-status.js';

/** The first retry of a snapshot the store failed to keep; doubled per failure up to RETRY_MAX_MS. */
const RETRY_MS = 1_000;
const RETRY_MAX_MS = 30_000;

/**
 * Between the registry and the store's LastGoodRules: what goes live from an app's files is
 * kept in the store, and at start an app whose files fail serves what was kept, so a broken
 * file left on disk no longer takes the app down at the next restart (docs/rules.md, "A
 * broken change"). A write that fails (the database down) is retried until it succeeds,
 * serving going on: rules that went live during an outage were never kept, and a restart
 * with broken files then served older rules while the log said "the rules it last went
 * live with" (an operator probe).
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
  /** Per app, the newest snapshot that went live and is not kept yet (only the newest is worth keeping). */
  readonly #unkept = new Map<string, LastGoodSnapshot>();
  /** Hashes whose failure was logged: one warning per snapshot, not one per retry. */
  readonly #failed = new Set<string>();
  #retry: NodeJS.Timeout | null = null;
  #retryMs = RETRY_MS;
  #closed = false;

  constructor(
    private readonly registry: RulesRegistry,
    private readonly kept: LastGoodRules,
    private readonly logger: Logger,
  ) {}

  /**
   * The registry's observer: keeps each snapshot activated from files, and the rolled-back one
   * a reload unpinned (its files failed, or were those very rules): it serves unpinned now, as a
   * restart on those files must too (kept before it, the deploy rolled back went live again at
   * the next restart on broken files).
   */
  observe(outcome: ReloadOutcome): void {
    const hash = liveHash(outcome);
    if (hash === undefined) return;
    const { appId } = outcome;
    const files = this.registry.snapshotFiles(appId, hash);
    if (!files) return;
    this.#unkept.set(appId, { hash, files });
    this.#enqueue();
  }

  #enqueue(): void {
    this.#writes = this.#writes.then(() => this.#keepUnkept());
  }

  /** Puts each app's unkept snapshot; on a failure, stops and retries all later. Never rejects. */
  async #keepUnkept(): Promise<void> {
    for (const [appId, snapshot] of [...this.#unkept]) {
      try {
        await this.kept.put(appId, snapshot);
      } catch (err) {
        this.#failedToKeep(err, appId, snapshot.hash);
        return;
      }
      if (this.#unkept.get(appId) === snapshot) this.#unkept.delete(appId);
      const before = (this.#kept.get(appId) ?? []).filter((k) => k.hash !== snapshot.hash);
      this.#kept.set(
        appId,
        [{ hash: snapshot.hash, at: new Date().toISOString() }, ...before].slice(0, KEPT_PER_APP),
      );
      if (this.#failed.delete(snapshot.hash))
        this.logger.info(
          { appId, hash: snapshot.hash },
          'the rules that went live are kept in the store now',
        );
    }
    this.#retryMs = RETRY_MS;
  }

  #failedToKeep(err: unknown, appId: string, hash: string): void {
    if (!this.#failed.has(hash)) {
      this.#failed.add(hash);
      const older = this.list(appId)[0];
      this.logger.warn(
        { err, appId, hash },
        `the rules that went live could not be kept in the store; retried until they are: a restart with broken files meanwhile would serve ${older ? `the rules kept before (${older.hash})` : 'none'}`,
      );
    }
    if (this.#closed || this.#retry) return;
    this.#retry = setTimeout(() => {
      this.#retry = null;
      this.#enqueue();
    }, this.#retryMs);
    // A retry alone keeps no process alive; close() ends them.
    this.#retry.unref();
    this.#retryMs = Math.min(RETRY_MAX_MS, this.#retryMs * 2);
  }

  /**
   * Resolves once every snapshot observed so far has been written to the store, or its write
   * has failed (then it is retried in the background, and logged): never rejects.
   */
  settled(): Promise<void> {
    return this.#writes;
  }

  /**
   * Whether `hash`, which went live for the app, is kept in the store (false while its write
   * fails and is retried): what the reload's answer tells its caller, after settled().
   */
  isKept(appId: string, hash: string): boolean {
    return this.#unkept.get(appId)?.hash !== hash;
  }

  /** Ends the retries (before the store closes); resolves once the write under way is done. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = null;
    await this.#writes;
    // Said at the stop too: the next start on broken files serves what the store holds.
    for (const [appId, { hash }] of this.#unkept) {
      const older = this.list(appId)[0];
      this.logger.warn(
        { appId, hash },
        `stopping with the rules that went live not kept in the store: a start on broken files would serve ${older ? `the rules kept before (${older.hash})` : 'none'}`,
      );
    }
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
          "the app's rule files fail to load: serving the rules last kept in the store (the newest that went live and could be stored), until they are fixed",
        );
    }
    // Then what the store keeps, once the start's own activations are written (see list).
    await this.#writes;
    await this.load();
  }
}
