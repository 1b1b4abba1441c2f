import path from 'node:path';
import { type FSWatcher, watch } from 'chokidar';
import type { Logger } from 'pino';
import type { RulesRegistry } from './rules-registry.js';

/** Editor droppings that are never rules: vim swap and backup files, its 4913 probe, temp files. */
const IGNORED = /(\.swp|\.swx|~|\.tmp|[\\/]4913)$/;

/**
 * Watches the rules directory (never single files: editors save by rename-over and a
 * file watch would follow the old inode) and reloads the app whose files changed,
 * debounced so that a burst of saves makes one reload.
 *
 * Every `reconcileMs` it also compares each app's files with what its last load read:
 * inotify drops events under load (a 1,000-edit mutate-rules run beside two other suites
 * saw the watcher miss every edit after a removed and recreated app directory), so a
 * change the watcher did not report is reloaded then, and the watch is made anew.
 */
export class RulesWatcher {
  private watcher?: FSWatcher;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private reconciler?: NodeJS.Timeout;
  private reconciling = false;

  constructor(
    private readonly registry: RulesRegistry,
    private readonly logger: Logger,
    private readonly debounceMs = 200,
    private readonly reconcileMs = 5_000,
  ) {}

  async start(): Promise<void> {
    await this.watch();
    this.reconciler = setInterval(() => void this.reconcile(), this.reconcileMs);
    this.reconciler.unref();
  }

  /** Reloads each app whose files changed unseen, and watches anew when one did. */
  private async reconcile(): Promise<void> {
    if (this.reconciling) return;
    this.reconciling = true;
    try {
      let missed = false;
      for (const appId of this.registry.appIds()) {
        if (this.timers.has(appId) || !(await this.registry.changedOnDisk(appId))) continue;
        missed = true;
        this.logger.warn({ appId }, 'rules changed without a watcher event: reloading, watching anew');
        await this.registry.reload(appId, 'watch');
      }
      if (missed && this.reconciler) {
        await this.watcher?.close();
        await this.watch();
      }
    } catch (err) {
      this.logger.error({ err }, 'rules reconcile failed');
    } finally {
      this.reconciling = false;
    }
  }

  private async watch(): Promise<void> {
    const root = path.resolve(this.registry.rulesDir);
    this.watcher = watch(root, { ignoreInitial: true, ignored: (p) => IGNORED.test(p) });
    this.watcher.on('all', (_event, changed) => {
      const appId = path.relative(root, changed).split(path.sep)[0];
      if (appId && !appId.startsWith('..')) this.schedule(appId);
    });
    this.watcher.on('error', (err) => this.logger.error({ err }, 'rules watcher error'));
    await new Promise<void>((resolve) => this.watcher?.once('ready', () => resolve()));
  }

  private schedule(appId: string): void {
    clearTimeout(this.timers.get(appId));
    this.timers.set(
      appId,
      setTimeout(() => {
        this.timers.delete(appId);
        this.registry.reload(appId, 'watch').catch((err: unknown) => {
          this.logger.error({ err, appId }, 'rules reload failed');
        });
      }, this.debounceMs),
    );
  }

  async close(): Promise<void> {
    clearInterval(this.reconciler);
    this.reconciler = undefined;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await this.watcher?.close();
  }
}
