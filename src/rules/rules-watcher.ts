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
 */
export class RulesWatcher {
  private watcher?: FSWatcher;
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly registry: RulesRegistry,
    private readonly logger: Logger,
    private readonly debounceMs = 200,
  ) {}

  async start(): Promise<void> {
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
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await this.watcher?.close();
  }
}
