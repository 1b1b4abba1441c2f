import path from 'node:path';
import type { Logger } from 'pino';
import { type AppFiles, type AppLoader, filesHash, listApps, RULE_FILE, readAppFiles } from './app-loader.js';
import type { AppRules } from './app-rules.js';
import { displayPath } from './display-path.js';
import { type PinnedState, pinnedState, textsOf } from './pinned-state.js';
import { formatProblem, type Problem } from './problems.js';
import { missingKindProblems, type RequiredKind } from './required-kinds.js';
import {
  type ActivationReason,
  type FileTexts,
  type HistoryEntry,
  RulesHistory,
  unbumpedVersions,
} from './rules-history.js';

export type ReloadOutcome =
  | {
      appId: string;
      result: 'activated';
      version: string;
      hash: string;
      ms: number;
      /**
       * What the person reloading should know of this activation, as `file:line:col message`: a
       * file changed without its version, a running experiment's weights changed.
       */
      warnings: string[];
    }
  | { appId: string; result: 'unchanged'; hash: string; ms: number }
  | { appId: string; result: 'pinned'; pendingHash: string; ms: number }
  | { appId: string; result: 'failed'; problems: string[]; ms: number };

export interface RulesError {
  at: string;
  /** Hash of the files that were refused; null when they could not be read. */
  hash: string | null;
  problems: string[];
  /** What serves instead: the last good snapshot, or null when the app never had one. */
  serving: { version: string; hash: string } | null;
}

export interface AppRulesStatus {
  appId: string;
  active: { version: string; hash: string; loadedAt: string; files: AppRules['files'] } | null;
  lastError: RulesError | null;
  /** Set after a rollback: file changes are validated but wait for an explicit reload. */
  pinned: PinnedState | null;
  history: HistoryEntry[];
  /**
   * What `offerd validate` warns of in the serving rules (rules that can never fire), and,
   * from the reload that activated them, files changed without a version bump; never blocks.
   */
  warnings: Problem[];
}

/** One rule file of a snapshot, by its name in the app's directory (paths differ between instances). */
export interface SnapshotFile {
  name: string;
  text: string;
}

type CheckResult = { ok: true; rules: AppRules } | { ok: false; problems: string[] };

/** Told about every reload, for metrics. */
export type ReloadObserver = (outcome: ReloadOutcome) => void;

interface AppState {
  current?: AppRules;
  /** The warnings of `current`, found once when it went live (status is read often). */
  warnings: Problem[];
  lastError: RulesError | null;
  pinned: PinnedState | null;
  /** The texts the current snapshot was built from (history diffs, pinned state). */
  texts: FileTexts;
  history: RulesHistory;
  /** The content hash of the files the last load read (null: none, or they were unreadable). */
  seenHash: string | null;
  /** Reloads of one app run one after another, never interleaved. */
  queue: Promise<unknown>;
}

export interface RulesRegistryOptions {
  rulesDir: string;
  loader: AppLoader;
  logger: Logger;
  historySize?: number;
  observe?: ReloadObserver;
  now?: () => Date;
  /** Apps the config declares: always loaded (and reported) even when their directory is missing. */
  apps?: readonly string[];
  /**
   * The kinds an app's APIs need: a snapshot without one of them is refused like an
   * invalid file (docs/rules.md: "A broken change"). None when absent.
   */
  requiredKinds?: (appId: string) => readonly RequiredKind[];
  /**
   * A last check of a valid snapshot before it may go live (the app's fixtures, see
   * fixtures-gate.ts): problems as `file:line message`, refused like invalid files.
   */
  gate?: (appId: string, rules: AppRules) => Promise<string[]>;
  /**
   * Warnings about what a reload changes against the snapshot it replaces (a running
   * experiment's weights, banner/rules/weight-change.ts): in the reload's outcome and among
   * the app's warnings until the next activation. They never block; one that throws is logged.
   */
  changeWarnings?: (before: AppRules | undefined, after: AppRules) => Promise<Problem[]>;
}

/**
 * Holds the active rules snapshot of every app. A load builds a complete new snapshot
 * and replaces the reference in one assignment; a load that fails keeps the last good
 * snapshot serving and records the error. The file watcher, `POST /admin/rules/reload`
 * and start-up all go through `reload`.
 */
export class RulesRegistry {
  private readonly apps = new Map<string, AppState>();
  private readonly now: () => Date;

  constructor(private readonly options: RulesRegistryOptions) {
    this.now = options.now ?? (() => new Date());
  }

  get rulesDir(): string {
    return this.options.rulesDir;
  }

  /** The snapshot a request should use from start to end; read it once per request. */
  current(appId: string): AppRules | undefined {
    return this.apps.get(appId)?.current;
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

  /** Reloads one app, or every app in the rules directory. Explicit reloads clear a rollback pin. */
  async reload(appId?: string, reason: ActivationReason = 'reload'): Promise<ReloadOutcome[]> {
    const ids = appId ? [appId] : await this.knownApps();
    return Promise.all(ids.map((id) => this.enqueue(id, () => this.reloadApp(id, reason))));
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
    const texts = files ? this.loggedTexts(appId, hash, files) : state?.history.find(hash);
    if (!state || !texts) return undefined;
    return this.enqueue(appId, async () => {
      const started = performance.now();
      const files = { appId, files: [...texts].map(([path, text]) => ({ path, text })) };
      // The same check as a reload (a loader that throws is a refusal, not an escape);
      // these texts passed it when they were activated, so a refusal is a bug, said as one.
      const checked = this.check(state, files);
      if (!checked.ok) throw new Error(`${appId}: snapshot ${hash} no longer loads: ${checked.problems[0]}`);
      this.activate(appId, state, checked.rules, 'rollback', performance.now() - started, texts);
      state.pinned = pinnedState(hash, texts, await this.filesOnDisk(appId));
      return checked.rules;
    });
  }

  /** Snapshot files as if read from this instance's rules dir; undefined unless they hash to `hash`. */
  private loggedTexts(appId: string, hash: string, files: readonly SnapshotFile[]): FileTexts | undefined {
    if (files.some((f) => path.basename(f.name) !== f.name || !RULE_FILE.test(f.name))) return undefined;
    const here = (name: string) => displayPath(path.join(this.options.rulesDir, appId, name));
    const app = { appId, files: files.map((f) => ({ path: here(f.name), text: f.text })) };
    return filesHash(app) === hash ? textsOf(app) : undefined;
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
      s = {
        warnings: [],
        lastError: null,
        pinned: null,
        texts: new Map(),
        history: new RulesHistory(this.options.historySize ?? 10),
        seenHash: null,
        queue: Promise.resolve(),
      };
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
    let files: AppFiles;
    try {
      files = await readAppFiles(this.options.rulesDir, appId);
    } catch (err) {
      state.seenHash = null;
      return this.fail(appId, state, null, [this.unreadable(appId, err as NodeJS.ErrnoException)], ms());
    }
    const hash = filesHash(files);
    state.seenHash = hash;
    const explicit = reason === 'reload' || reason === 'start';
    if (!explicit && state.pinned) {
      // A rolled-back app keeps its pinned snapshot; the change is validated and waits for a reload.
      state.pinned = pinnedState(state.pinned.hash, state.texts, files);
      const result = await this.gated(this.check(state, files));
      if (!result.ok) return this.fail(appId, state, hash, result.problems, ms());
      return this.observe({ appId, result: 'pinned', pendingHash: hash, ms: ms() });
    }
    if (state.current?.hash === hash && !state.pinned) {
      state.lastError = null;
      return this.observe({ appId, result: 'unchanged', hash, ms: ms() });
    }
    const result = await this.gated(this.check(state, files));
    if (!result.ok) return this.fail(appId, state, hash, result.problems, ms());
    state.pinned = null;
    const changes = await this.changeWarningsOf(state.current, result.rules);
    const took = ms();
    const activated = this.activate(appId, state, result.rules, reason, took, textsOf(files), changes);
    return this.observe({
      appId,
      result: 'activated',
      version: result.rules.version,
      hash,
      ms: took,
      warnings: activated.map(formatProblem),
    });
  }

  /** Why the app's files could not be read, for a person: a missing directory says so plainly. */
  private unreadable(appId: string, err: NodeJS.ErrnoException): string {
    const dir = displayPath(path.join(this.options.rulesDir, appId));
    const missing = err.code === 'ENOENT' && err.path === path.join(this.options.rulesDir, appId);
    return missing ? `${dir}: the app's rules directory is missing` : `${dir}: ${err.message}`;
  }

  /**
   * Loads the files and decides whether they may go live: every file valid and every
   * kind the app's APIs need present. A loader that throws (it should report, not throw)
   * refuses the snapshot like any other problem instead of escaping the reload.
   */
  private check(state: AppState, files: AppFiles): CheckResult {
    let result: ReturnType<AppLoader['load']>;
    try {
      result = this.options.loader.load(files, this.now());
    } catch (err) {
      const where = `${this.options.rulesDir}/${files.appId}`;
      return { ok: false, problems: [`${where}: loading failed unexpectedly: ${(err as Error).message}`] };
    }
    if (!result.ok) return { ok: false, problems: result.problems.map(formatProblem) };
    const required = this.options.requiredKinds?.(files.appId) ?? [];
    const missing = missingKindProblems(files, result.rules, required, state.current, this.options.rulesDir);
    return missing.length > 0 ? { ok: false, problems: missing } : { ok: true, rules: result.rules };
  }

  /** A valid snapshot through the gate, when there is one; a gate that throws refuses it. */
  private async gated(result: CheckResult): Promise<CheckResult> {
    const gate = this.options.gate;
    if (!result.ok || !gate) return result;
    let problems: string[];
    try {
      problems = await gate(result.rules.appId, result.rules);
    } catch (err) {
      problems = [`${result.rules.appId}: the activation gate failed: ${(err as Error).message}`];
    }
    return problems.length > 0 ? { ok: false, problems } : result;
  }

  private activate(
    appId: string,
    state: AppState,
    rules: AppRules,
    reason: ActivationReason,
    ms: number,
    texts: FileTexts,
    changes: readonly Problem[] = [],
  ): Problem[] {
    // A rollback goes back to texts on purpose; a file edited without its version is news only on a change.
    const unbumped = reason === 'rollback' ? [] : unbumpedVersions(state.current, rules, texts);
    state.history.record(
      rules,
      { rules: state.current, texts: state.texts },
      { reason, at: this.now(), ms, texts },
    );
    state.current = rules;
    state.warnings = [...unbumped, ...changes, ...this.warningsOf(rules)];
    state.texts = texts;
    state.lastError = null;
    this.options.logger.info({ appId, version: rules.version, hash: rules.hash, reason }, 'rules activated');
    if (unbumped.length > 0) {
      this.options.logger.warn(
        { appId, version: rules.version, hash: rules.hash, warnings: unbumped.map(formatProblem) },
        'rules activated with a file changed but its version not bumped',
      );
    }
    return [...unbumped, ...changes];
  }

  /** A lint that throws costs its warnings, never the activation: warnings never block. */
  private warningsOf(rules: AppRules): Problem[] {
    try {
      return this.options.loader.warnings(rules);
    } catch (err) {
      this.options.logger.warn({ appId: rules.appId, err }, 'linting the rules failed; no warnings shown');
      return [];
    }
  }

  /** Like lints, a change check that throws costs its warnings, never the activation. */
  private async changeWarningsOf(before: AppRules | undefined, after: AppRules): Promise<Problem[]> {
    const check = this.options.changeWarnings;
    if (!check) return [];
    try {
      return await check(before, after);
    } catch (err) {
      this.options.logger.warn(
        { appId: after.appId, err },
        'checking what the reload changes failed; no warnings',
      );
      return [];
    }
  }

  /** The app's files as they are on disk now; null when they cannot be read. */
  private async filesOnDisk(appId: string): Promise<AppFiles | null> {
    return readAppFiles(this.options.rulesDir, appId).catch(() => null);
  }

  private fail(
    appId: string,
    state: AppState,
    hash: string | null,
    problems: string[],
    ms: number,
  ): ReloadOutcome {
    const c = state.current;
    const serving = c ? { version: c.version, hash: c.hash } : null;
    state.lastError = { at: this.now().toISOString(), hash, problems, serving };
    this.options.logger.error(
      { appId, problems, serving: state.current?.hash ?? null },
      'rules rejected; the last good rules keep serving',
    );
    return this.observe({ appId, result: 'failed', problems, ms });
  }

  private observe(outcome: ReloadOutcome): ReloadOutcome {
    this.options.observe?.(outcome);
    return outcome;
  }
}
