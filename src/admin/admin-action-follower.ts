import type { Logger } from 'pino';
import type { RulesRegistry } from '../rules/rules-registry.js';
import type { LoggedAction, SharedAction } from '../store/postgres/admin-actions.js';

/** Where admin actions are shared: the PostgreSQL log, or nothing for an embedded store. */
export interface ActionLog {
  append(action: SharedAction, origin: string): Promise<void>;
  head(): Promise<number>;
  after(seq: number): Promise<LoggedAction[]>;
}

/**
 * Makes a rollback (with its pin) and a reload reach every instance: the instance that
 * was called applies the action, then appends it to the shared log; every instance polls
 * the log every `intervalMs` and applies the actions other instances appended, in order.
 * A rollback to a snapshot this instance never loaded is logged and skipped (its history
 * differs: it started after that version was replaced).
 */
export class AdminActionFollower {
  private cursor = 0;
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> = Promise.resolve();

  constructor(
    private readonly log: ActionLog,
    private readonly registry: RulesRegistry,
    private readonly instanceId: string,
    private readonly logger: Logger,
    private readonly intervalMs = 500,
  ) {}

  /** Follows from the log's head: what happened before this start is in the files it loaded. */
  async start(): Promise<void> {
    this.cursor = await this.log.head();
    this.timer = setInterval(() => {
      this.polling = this.polling
        .then(() => this.poll())
        .catch((err: unknown) => {
          this.logger.warn({ err }, 'reading the shared admin actions failed; retrying');
        });
    }, this.intervalMs).unref();
  }

  /** Called after this instance applied `action`: the others pick it up within intervalMs. */
  share(action: SharedAction): Promise<void> {
    return this.log.append(action, this.instanceId);
  }

  private async poll(): Promise<void> {
    for (const logged of await this.log.after(this.cursor)) {
      this.cursor = logged.seq;
      if (logged.origin === this.instanceId) continue;
      await this.apply(logged);
    }
  }

  private async apply({ action, origin }: LoggedAction): Promise<void> {
    if (action.kind === 'reload') {
      await this.registry.reload(action.appId ?? undefined, 'reload');
      this.logger.info({ appId: action.appId, origin }, 'rules reloaded at the request of another instance');
      return;
    }
    const rules = await this.registry.rollback(action.appId, action.hash);
    if (rules)
      this.logger.info(
        { appId: action.appId, hash: action.hash, origin },
        'rolled back with another instance',
      );
    else
      this.logger.warn(
        { appId: action.appId, hash: action.hash, origin },
        'rollback skipped: snapshot not in this history',
      );
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.polling;
  }
}
