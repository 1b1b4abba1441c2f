import type { Logger } from 'pino';
import type { ActivationListeners } from './activation-listeners.js';
import type { AppRules } from './app-rules.js';
import type { PinnedState } from './pinned-state.js';
import { formatProblem, type Problem } from './problems.js';
import type { RequiredKind } from './required-kinds.js';
import { type ActivationReason, type FileTexts, RulesHistory, unbumpedVersions } from './rules-history.js';
import type { RulesError } from './rules-status.js';
import type { SnapshotChecks } from './snapshot-checks.js';

/** What the registry holds of one app: the snapshot serving, how it got there, what failed since. */
export interface AppState {
  current?: AppRules;
  /** When `current` went live. */
  activatedAt?: Date;
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

export function newAppState(historySize: number): AppState {
  return {
    warnings: [],
    lastError: null,
    pinned: null,
    texts: new Map(),
    history: new RulesHistory(historySize),
    seenHash: null,
    queue: Promise.resolve(),
  };
}

export interface TransitionDeps {
  logger: Logger;
  now: () => Date;
  listeners: ActivationListeners;
  checks: SnapshotChecks;
  requiredKinds?: (appId: string) => readonly RequiredKind[];
}

/**
 * The two ways an app's state moves, each with its history, its listeners and its log line:
 * a snapshot goes live, or a load is refused. The registry decides which; this records it.
 * Callers run it inside the app's queue (RulesRegistry.enqueue), so it never interleaves.
 */
export class AppRulesTransitions {
  constructor(private readonly deps: TransitionDeps) {}

  /** Makes `rules` the app's serving snapshot; returns the warnings its reload reports. */
  activate(
    appId: string,
    state: AppState,
    rules: AppRules,
    reason: ActivationReason,
    ms: number,
    texts: FileTexts,
    changes: readonly Problem[] = [],
  ): Problem[] {
    const { logger, listeners, checks } = this.deps;
    // A rollback goes back to texts on purpose; a file edited without its version is news only on a change.
    const unbumped = reason === 'rollback' ? [] : unbumpedVersions(state.current, rules, texts);
    const at = this.deps.now();
    const before = state.current;
    state.history.record(rules, { rules: state.current, texts: state.texts }, { reason, at, ms, texts });
    state.current = rules;
    state.activatedAt = at;
    listeners.tell(appId, rules, at, before);
    state.warnings = [...unbumped, ...changes, ...checks.lints(rules)];
    state.texts = texts;
    // A rollback serves texts that are not on disk: whether the refusal of the files on disk
    // still holds is the rollback's to say (refusalStillOnDisk), not cleared here.
    if (reason !== 'rollback') state.lastError = null;
    logger.info({ appId, version: rules.version, hash: rules.hash, reason }, 'rules activated');
    if (unbumped.length > 0) {
      logger.warn(
        { appId, version: rules.version, hash: rules.hash, warnings: unbumped.map(formatProblem) },
        'rules activated with a file changed but its version not bumped',
      );
    }
    return [...unbumped, ...changes];
  }

  /**
   * Records a refused load: the serving snapshot (if any) stays. `starting`: the first load of
   * the app, after which the store's kept snapshot, if any, is restored (LastGoodKeeper).
   */
  fail(appId: string, state: AppState, hash: string | null, problems: string[], starting = false): void {
    const c = state.current;
    const serving = c ? { version: c.version, hash: c.hash } : null;
    state.lastError = { at: this.deps.now().toISOString(), hash, problems, serving };
    // An app none of whose APIs needs rules (disabled, or keys revoked) serves nothing: its
    // missing or broken files are news, not an error (an error line for it alarmed operators).
    const needed = (this.deps.requiredKinds?.(appId) ?? []).length > 0;
    // With none serving, the line said "the last good rules keep serving" next to serving: null
    // (operator check, an upgrade whose fixtures failed: every API answered 503 meanwhile).
    // At start the kept snapshot is restored right after: "no rules serve" then read as an
    // outage a warning later contradicted (newcomer probe).
    const outcome = !needed
      ? 'the app needs none now'
      : c
        ? 'the last good rules keep serving'
        : starting
          ? 'the last good rules the store kept serve instead, if it kept any (said next); else its APIs answer 503 until rules without these problems are loaded'
          : 'no rules serve this app: its APIs answer 503 until rules without these problems are loaded';
    this.deps.logger[needed ? 'error' : 'info'](
      { appId, problems, serving: state.current?.hash ?? null },
      `rules rejected; ${outcome}`,
    );
  }
}
