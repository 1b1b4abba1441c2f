import type { Logger } from 'pino';
import type { AppRules } from './app-rules.js';
import type { ActivationListener } from './rules-status.js';

/** Who is told when a snapshot goes live (RulesSource.whenActivated), and the telling. */
export class ActivationListeners {
  readonly #listeners: ActivationListener[] = [];

  constructor(private readonly logger: Logger) {}

  /** Adds `listener`, first telling it of each `serving` snapshot (app, rules, when it went live). */
  add(listener: ActivationListener, serving: Iterable<[string, AppRules, Date]>): void {
    for (const [appId, rules, at] of serving) listener(appId, rules, at);
    this.#listeners.push(listener);
  }

  tell(appId: string, rules: AppRules, at: Date, before: AppRules | undefined): void {
    for (const listener of this.#listeners) {
      try {
        listener(appId, rules, at, before);
      } catch (err) {
        // A listener's fault is its own: the snapshot is live either way.
        this.logger.error({ err, appId, hash: rules.hash }, 'a listener of rules activations failed');
      }
    }
  }
}
