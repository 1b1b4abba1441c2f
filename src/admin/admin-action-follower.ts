import type { Logger } from 'pino';
import type { ActionLog, LoggedAction, SharedAction } from '../store/admin-action-log.js';
import { RepeatedFailure } from '../store/repeated-failure.js';
import { type ActionTargets, type Applied, applyAction } from './apply-admin-action.js';

/**
 * Makes a rollback (with its pin), a reload and a catalog sync reach every instance, which all end in the
 * same state: the action is stored in the shared log first and applied only once stored, by
 * the instance that was called as by every other, each applying every entry in the log's
 * order (its own too). Applying its own at once and the others' after it left two instances
 * rolled back at the same moment each on the other's hash; applying before storing left a
 * rollback on one instance when the database was down and the answer was a 503.
 */
export class AdminActionFollower {
  private cursor = 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Polls and performs run one after another: each entry is applied once, in order. */
  private queue: Promise<unknown> = Promise.resolve();
  /** The polls' failures while the store is down: logged when they start and end, not each. */
  private readonly pollFailures: RepeatedFailure;

  constructor(
    private readonly log: ActionLog,
    private readonly targets: ActionTargets,
    private readonly instanceId: string,
    private readonly logger: Logger,
    /** How often to read what other instances appended; null: no other instance writes the log. */
    private readonly intervalMs: number | null = 500,
  ) {
    this.pollFailures = new RepeatedFailure(logger, 'reading the shared admin actions failed; retrying');
  }

  /**
   * Joins the log at its head, after the rules were loaded. A rollback still in force is
   * applied first: an instance that starts (or restarts after a crash) during a rollback
   * serves it too, pinned, rather than its files while the others stay pinned. `joined`: the
   * log as main.ts read it for RulesRegistry.start, which started on its rollbacks already;
   * an entry without files is joined here, and what was appended since is applied.
   */
  async start(joined?: { head: number; rollbacks: LoggedAction[] }): Promise<void> {
    const { head, rollbacks } = joined ?? (await this.log.current());
    this.cursor = head;
    const serving = (a: SharedAction) =>
      a.kind === 'rollback' && this.targets.rules.pinnedTo(a.appId) === a.hash;
    // A snapshot this version of offerd no longer loads must not stop the start: its files serve.
    for (const logged of rollbacks.filter((l) => !serving(l.action)))
      await this.apply(logged).catch((err: unknown) =>
        this.logger.error(
          { err, seq: logged.seq },
          'joining the rollback in force failed; serving the files',
        ),
      );
    // What was appended after `joined` was read, while the rules loaded (another instance's
    // reload ending the rollback): applied now, in order. Reading the log again instead
    // skipped it, and this instance stayed pinned alone (focused probe, 5 of 11 tries).
    if (joined)
      await this.serialized(() => this.poll()).then(
        () => this.pollFailures.succeeded(),
        (err: unknown) => this.pollFailures.failed(err),
      );
    this.schedule();
  }

  /**
   * Stores `action` in the log, applies what came before it, then applies it and answers with
   * what it did here. A failed append changed nothing anywhere (its 503 says so); a stored
   * action reaches every instance, this one included, even if this call fails after the commit.
   */
  perform<A extends SharedAction>(action: A): Promise<Applied<A>> {
    return this.serialized(async () => {
      const entries = await this.log.append(action, this.instanceId, this.cursor);
      const own = entries.at(-1);
      if (!own) throw new Error('the admin action log did not return the appended entry');
      for (const logged of entries.slice(0, -1)) await this.follow(logged);
      this.cursor = own.seq;
      return (await applyAction(this.targets, own.action)) as Applied<A>;
    });
  }

  private schedule(): void {
    if (this.closed || this.intervalMs === null) return;
    // One poll at a time, the next one interval after the last ended: a slow database never piles them up.
    this.timer = setTimeout(() => {
      this.serialized(() => this.poll())
        .then(
          () => this.pollFailures.succeeded(),
          (err: unknown) => this.pollFailures.failed(err),
        )
        .finally(() => this.schedule());
    }, this.intervalMs).unref();
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async poll(): Promise<void> {
    for (const logged of await this.log.after(this.cursor)) await this.follow(logged);
  }

  /** Applies an entry and moves past it; one that fails is logged, not retried forever ahead of the rest. */
  private async follow(logged: LoggedAction): Promise<void> {
    this.cursor = logged.seq;
    try {
      await this.apply(logged);
    } catch (err) {
      this.logger.error(
        { err, seq: logged.seq, origin: logged.origin },
        'applying a shared admin action failed',
      );
    }
  }

  private async apply({ action, origin, seq }: LoggedAction): Promise<void> {
    const applied = await applyAction(this.targets, action);
    if (action.kind === 'catalog')
      this.logger.info(
        { appId: action.appId, wallId: action.wallId, origin, seq },
        'catalog taken from the store after a sync (shared admin log)',
      );
    else if (action.kind === 'reload')
      this.logger.info({ appId: action.appId, origin, seq }, 'rules reloaded from the shared admin log');
    else if (applied)
      this.logger.info(
        { appId: action.appId, hash: action.hash, origin, seq },
        'rolled back from the shared admin log',
      );
    else
      this.logger.warn(
        { appId: action.appId, hash: action.hash, origin, seq },
        'rollback skipped: its snapshot is neither in the entry nor in this history',
      );
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.queue;
  }
}
