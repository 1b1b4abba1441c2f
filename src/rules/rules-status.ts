import type { AppRules } from './app-rules.js';
import type { PinnedState } from './pinned-state.js';
import type { Problem } from './problems.js';
import type { HistoryEntry } from './rules-history.js';

/** What the rules registry tells of its apps: each reload's outcome and every app's status. */

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
  | {
      appId: string;
      result: 'unchanged';
      hash: string;
      ms: number;
      /** A reload ended a rollback to these very files: the snapshot serves on, unpinned (and is kept). */
      rollbackEnded?: string;
    }
  | { appId: string; result: 'pinned'; pendingHash: string; ms: number }
  | {
      appId: string;
      result: 'failed';
      problems: string[];
      ms: number;
      /**
       * An explicit reload ended a rollback and its files failed: the hash of the rolled-back
       * snapshot, which serves on unpinned (and is kept, so a restart serves it too).
       */
      rollbackEnded?: string;
    };

/**
 * The snapshot a reload put live that the store must keep (LastGoodKeeper), if any: the one
 * activated, or the rolled-back one a reload ended that serves on unpinned.
 */
export function liveHash(o: ReloadOutcome): string | undefined {
  if (o.result === 'activated') return o.hash;
  return 'rollbackEnded' in o ? o.rollbackEnded : undefined;
}

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

/** Told about every reload, for metrics. */
export type ReloadObserver = (outcome: ReloadOutcome) => void;

/**
 * Told that `rules` went live for `appId` at `at` (RulesSource.whenActivated), replacing
 * `before` (undefined: the app's first snapshot here, or one already serving when the
 * listener was added): what left the live rules then left them at `at`.
 */
export type ActivationListener = (appId: string, rules: AppRules, at: Date, before?: AppRules) => void;

/** A rollback in force at start: the snapshot, with its files (the admin action log's entry). */
export interface RollbackPin {
  hash: string;
  files: readonly SnapshotFile[];
}
