import path from 'node:path';
import type { LastGoodSnapshot } from '../store/last-good-rules.js';
import { ActivationListeners } from './activation-listeners.js';
import { type AppFiles, filesHash, listApps, readAppFiles } from './app-loader.js';
import type { AppRules } from './app-rules.js';
import { AppRulesTransitions, type AppState, newAppState } from './app-rules-state.js';
import { unreadableAppDir } from './display-path.js';
import { pinnedState, refusalStillOnDisk, textsOf } from './pinned-state.js';
import { formatProblem } from './problems.js';
import type { ActivationReason, FileTexts } from './rules-history.js';
import type { RulesRegistryOptions } from './rules-registry-options.js';
import type {
  ActivationListener,
  AppRulesStatus,
  ReloadOutcome,
  RollbackPin,
  SnapshotFile,
} from './rules-status.js';
import { SnapshotChecks } from './snapshot-checks.js';
import { snapshotTexts } from './snapshot-texts.js';

/**
 * Holds the active rules snapshot of every app. A load builds a complete new snapshot
 * and replaces the reference in one assignment; a load that fails keeps the last good
 * snapshot serving and records the error. The file watcher, `POST /admin/rules/reload`
 * and start-up all go through `reload`.
 */
export class RulesRegistry {
  private readonly apps = new Map<string, AppState>();
  private readonly now: () => Date;
  private readonly checks: SnapshotChecks;
  private readonly listeners: ActivationListeners;
  private readonly transitions: AppRulesTransitions;

  constructor(private readonly options: RulesRegistryOptions) {
    this.now = options.now ?? (() => new Date());
    this.checks = new SnapshotChecks(options, this.now);
    this.listeners = new ActivationListeners(options.logger);
    this.transitions = new AppRulesTransitions({
      ...options,
      now: this.now,
      listeners: this.listeners,
      checks: this.checks,
    });
  }

  get rulesDir(): string {
    return this.options.rulesDir;
  }

  /** The snapshot a request should use from start to end; read it once per request. */
  current(appId: string): AppRules | undefined {
    return this.apps.get(appId)?.current;
  }

  /** See RulesSource.whenActivated. */
  whenActivated(listener: ActivationListener): void {
    const serving = [...this.apps].flatMap(([appId, s]): [string, AppRules, Date][] =>
      s.current && s.activatedAt ? [[appId, s.current, s.activatedAt]] : [],
    );
    this.listeners.add(listener, serving);
  }

  /** True once every known app has an active snapshot. */
  ready(): boolean {
    return this.apps.size > 0 && [...this.apps.values()].every((s) => s.current !== undefined);
  }

  /**
   * Whether the app's files on disk differ from what its last load read: a change nobody
   * reloaded yet (the file watcher's safety net, rules-watcher.ts).
   */
  async changedOnDisk(appId: string): Promise<boolean> {
    let hash: string | null;
    try {
      hash = filesHash(await readAppFiles(this.options.rulesDir, appId));
    } catch {
      hash = null;
    }
    return hash !== this.state(appId).seenHash;
  }

  appIds(): string[] {
    return [...this.apps.keys()].sort();
  }

  /** Reloads one app, or every app in the rules directory. Explicit reloads clear a rollback pin, even when they fail. */
  async reload(appId?: string, reason: ActivationReason = 'reload'): Promise<ReloadOutcome[]> {
    const ids = appId ? [appId] : await this.knownApps();
    return Promise.all(ids.map((id) => this.enqueue(id, () => this.reloadApp(id, reason))));
  }

  /**
   * The first load of every app. An app under a rollback still in force (`pins`: the admin
   * action log's, with the snapshot's files) starts on that snapshot, pinned, and its files on
   * disk are checked as a pinned app's change: they never go live. Loaded first and rolled
   * back after, they went live for an instant before anything served, and what they stop was
   * ended for good (VersionEnds) while the rollback ran it (account-manager probe).
   */
  async start(pins: ReadonlyMap<string, RollbackPin> = new Map()): Promise<ReloadOutcome[]> {
    const ids = await this.knownApps();
    return Promise.all(ids.map((id) => this.enqueue(id, () => this.startApp(id, pins.get(id)))));
  }

  private async startApp(appId: string, pin: RollbackPin | undefined): Promise<ReloadOutcome> {
    const texts = pin && snapshotTexts(this.options.rulesDir, appId, pin.hash, pin.files);
    if (!pin || !texts) return this.reloadApp(appId, 'start');
    const started = performance.now();
    const state = this.state(appId);
    const checked = this.reactivate(appId, state, texts, 'rollback');
    if (!checked.ok) {
      this.options.logger.error(
        { appId, hash: pin.hash, problems: checked.problems },
        'the rollback in force no longer loads; serving the files',
      );
      return this.reloadApp(appId, 'start');
    }
    state.pinned = pinnedState(pin.hash, texts, null);
    return this.reloadFiles(appId, state, 'watch', () => Math.round(performance.now() - started));
  }

  /** A reload's warnings for going from `before` to `after`: what a rollback's answer lists. */
  async changeWarnings(before: AppRules | undefined, after: AppRules): Promise<string[]> {
    return (await this.checks.changeWarnings(before, after)).map(formatProblem);
  }

  /** The snapshot the app is pinned to by a rollback, or null. */
  pinnedTo(appId: string): string | null {
    return this.apps.get(appId)?.pinned?.hash ?? null;
  }

  /** Configured apps and every app directory; a missing rules directory is an error per app, not a crash. */
  private async knownApps(): Promise<string[]> {
    const found = await listApps(this.options.rulesDir).catch(() => []);
    return [...new Set([...(this.options.apps ?? []), ...found])].sort();
  }

  /** The rule files of snapshot `hash` in the app's history, by name: what the shared admin log carries. */
  snapshotFiles(appId: string, hash: string): SnapshotFile[] | undefined {
    const texts = this.apps.get(appId)?.history.find(hash);
    return texts && [...texts].map(([file, text]) => ({ name: path.basename(file), text }));
  }

  /**
   * Re-activates an earlier snapshot and pins it (see docs/rules.md: rollback): compiled again
   * from the texts it was activated with, which passed then. The texts are `files` when given
   * (another instance's snapshot, through the shared log: this one may never have loaded it),
   * else the app's history. Undefined when there is no such snapshot, or `files` are not `hash`.
   */
  async rollback(
    appId: string,
    hash: string,
    files?: readonly SnapshotFile[],
  ): Promise<AppRules | undefined> {
    const state = this.apps.get(appId);
    const texts = files
      ? snapshotTexts(this.options.rulesDir, appId, hash, files)
      : state?.history.find(hash);
    if (!state || !texts) return undefined;
    return this.enqueue(appId, async () => {
      const disk = await this.filesOnDisk(appId);
      // These texts passed when they were activated, so a refusal is a bug, said as one.
      const checked = this.reactivate(appId, state, texts, 'rollback');
      if (!checked.ok) throw new Error(`${appId}: snapshot ${hash} no longer loads: ${checked.problems[0]}`);
      state.pinned = pinnedState(hash, texts, disk);
      state.lastError = refusalStillOnDisk(state.lastError, disk, checked.rules);
      return checked.rules;
    });
  }

  /**
   * Serves `snapshot`, the rules the app last activated from its files (LastGoodRules), when its
   * files failed at this start. Not pinned: the next files that load go live as usual; their
   * failure stays in lastError. Undefined when the app has rules, or the snapshot is not its hash.
   */
  async restore(appId: string, snapshot: LastGoodSnapshot): Promise<AppRules | undefined> {
    const state = this.apps.get(appId);
    const texts = snapshotTexts(this.options.rulesDir, appId, snapshot.hash, snapshot.files);
    if (!state || !texts) return undefined;
    return this.enqueue(appId, async () => {
      if (state.current) return undefined;
      const failure = state.lastError;
      const checked = this.reactivate(appId, state, texts, 'last-good');
      if (!checked.ok) return undefined;
      const serving = { version: checked.rules.version, hash: checked.rules.hash };
      state.lastError = failure && { ...failure, serving };
      return checked.rules;
    });
  }

  /**
   * Compiles a snapshot's texts again with the same check as a reload (a loader that throws
   * is a refusal, not an escape) and, if they pass, makes them the app's rules.
   */
  private reactivate(appId: string, state: AppState, texts: FileTexts, reason: ActivationReason) {
    const started = performance.now();
    const files = { appId, files: [...texts].map(([path, text]) => ({ path, text })) };
    const checked = this.checks.check(files, state.current);
    if (checked.ok)
      this.transitions.activate(appId, state, checked.rules, reason, performance.now() - started, texts);
    return checked;
  }

  /** Whether `files` (a store's, any shape) are a snapshot that hashes to `hash`: what a rollback may serve. */
  holdsHash(appId: string, hash: string, files: unknown): files is SnapshotFile[] {
    return snapshotTexts(this.options.rulesDir, appId, hash, files) !== undefined;
  }

  status(): AppRulesStatus[] {
    return this.appIds().map((appId) => {
      const s = this.apps.get(appId) as AppState;
      const c = s.current;
      return {
        appId,
        active: c ? { version: c.version, hash: c.hash, loadedAt: c.loadedAt, files: c.files } : null,
        lastError: s.lastError,
        pinned: s.pinned,
        history: s.history.list(),
        warnings: s.warnings,
      };
    });
  }

  private state(appId: string): AppState {
    let s = this.apps.get(appId);
    if (!s) {
      s = newAppState(this.options.historySize ?? 10);
      this.apps.set(appId, s);
    }
    return s;
  }

  private enqueue<T>(appId: string, work: () => Promise<T>): Promise<T> {
    const s = this.state(appId);
    const run = s.queue.then(work, work);
    s.queue = run.catch(() => undefined);
    return run;
  }

  private async reloadApp(appId: string, reason: ActivationReason): Promise<ReloadOutcome> {
    const started = performance.now();
    const ms = () => Math.round((performance.now() - started) * 100) / 100;
    const state = this.state(appId);
    // An explicit reload ends a rollback even when the files fail (docs/rules.md), unpinned with its
    // outcome, in lastError's task: unpinned first, a status read meanwhile said "no error" (CI run).
    try {
      return await this.reloadFiles(appId, state, reason, ms);
    } finally {
      if (reason === 'reload') state.pinned = null;
    }
  }

  private async reloadFiles(appId: string, state: AppState, reason: ActivationReason, ms: () => number) {
    const endsRollback = reason === 'reload';
    let files: AppFiles;
    try {
      files = await readAppFiles(this.options.rulesDir, appId);
    } catch (err) {
      state.seenHash = null;
      const problem = unreadableAppDir(this.options.rulesDir, appId, err as NodeJS.ErrnoException);
      return this.fail(appId, state, null, [problem], ms(), reason);
    }
    const hash = filesHash(files);
    state.seenHash = hash;
    const explicit = reason === 'reload' || reason === 'start';
    if (!explicit && state.pinned) {
      // A rolled-back app keeps its pinned snapshot; the change is validated and waits for a reload.
      state.pinned = pinnedState(state.pinned.hash, state.texts, files);
      await this.checks.prepare(files);
      const result = await this.checks.gated(this.checks.check(files, state.current));
      if (!result.ok) return this.fail(appId, state, hash, result.problems, ms());
      // The files on disk pass now: a refusal of earlier files no longer says what disk holds.
      state.lastError = null;
      return this.observe({ appId, result: 'pinned', pendingHash: hash, ms: ms() });
    }
    if (state.current?.hash === hash && (endsRollback || !state.pinned)) {
      // Fixture files are not in the hash: a change to them alone is checked against the
      // serving rules, so a broken or failing fixture is said when it lands, not when it
      // refuses the next rule change (newcomer and account-manager probes).
      // Not when a reload ends a rollback to these very files: a rollback is not gated.
      const serving = { ok: true as const, rules: state.current };
      const gated = endsRollback && state.pinned ? serving : await this.checks.gated(serving);
      if (!gated.ok) return this.fail(appId, state, hash, gated.problems, ms(), reason);
      state.lastError = null;
      const ended = endsRollback && state.pinned ? { rollbackEnded: hash } : {};
      return this.observe({ appId, result: 'unchanged', hash, ms: ms(), ...ended });
    }
    await this.checks.prepare(files);
    const result = await this.checks.gated(this.checks.check(files, state.current));
    if (!result.ok) return this.fail(appId, state, hash, result.problems, ms(), reason);
    state.pinned = null;
    const changes = await this.checks.changeWarnings(state.current, result.rules);
    const took = ms();
    const activated = this.transitions.activate(
      appId,
      state,
      result.rules,
      reason,
      took,
      textsOf(files),
      changes,
    );
    return this.observe({
      appId,
      result: 'activated',
      version: result.rules.version,
      hash,
      ms: took,
      warnings: activated.map(formatProblem),
    });
  }

  /** The app's files as they are on disk now; null when they cannot be read. */
  private async filesOnDisk(appId: string): Promise<AppFiles | null> {
    return readAppFiles(this.options.rulesDir, appId).catch(() => null);
  }

  /**
   * A refused load, recorded and observed (see AppRulesTransitions.fail). `reason`: the load's,
   * when it was an explicit one (a start, or a reload, which ends a rollback even so).
   */
  private fail(
    appId: string,
    state: AppState,
    hash: string | null,
    problems: string[],
    ms: number,
    reason?: ActivationReason,
  ): ReloadOutcome {
    this.transitions.fail(appId, state, hash, problems, reason === 'start');
    const ended = reason === 'reload' && state.pinned !== null ? state.current?.hash : undefined;
    return this.observe({
      appId,
      result: 'failed',
      problems,
      ms,
      ...(ended ? { rollbackEnded: ended } : {}),
    });
  }

  private observe(outcome: ReloadOutcome): ReloadOutcome {
    this.options.observe?.(outcome);
    return outcome;
  }
}
