import type { RollbackPin, SnapshotFile } from '../rules/rules-status.js';

/** An admin action that must outlive the call: applied by every instance, and again after a restart. */
export type SharedAction =
  | { kind: 'reload'; appId: string | null }
  /**
   * `files`: the snapshot's texts, so that an instance that never loaded it (started after it
   * was replaced, or restarted) can serve it too; null in entries appended before they were stored.
   */
  | { kind: 'rollback'; appId: string; hash: string; files: SnapshotFile[] | null }
  /**
   * A wall's catalog was synced from its feed and stored: every instance serves the stored
   * one (the offerwall's, see its feature). Ends no rollback; a starting instance reads the
   * stored catalog anyway, so it is not replayed at start.
   */
  | { kind: 'catalog'; appId: string; wallId: number };

/** An action an API owns (a catalog sync), applied by its feature (Feature.follow). */
export type ApiAction = Exclude<SharedAction, { kind: 'reload' } | { kind: 'rollback' }>;

export interface LoggedAction {
  seq: number;
  action: SharedAction;
  /** The instance that was called. */
  origin: string;
}

/**
 * Where admin actions are kept: the PostgreSQL log shared by the instances
 * (postgres/admin-actions.ts), or the embedded store's file (document/admin-action-file.ts).
 * AdminActionFollower reads and applies it.
 */
export interface ActionLog {
  /** Appends `action`, durably; returns the entries after `cursor` up to and including it, in order. */
  append(action: SharedAction, origin: string, cursor: number): Promise<LoggedAction[]>;
  /** The log's head and, per app, the rollback still in force. */
  current(): Promise<{ head: number; rollbacks: LoggedAction[] }>;
  after(seq: number): Promise<LoggedAction[]>;
}

/**
 * Per app, the rollback still in force after `entries` (in log order): the app's last
 * rollback, unless a reload of that app, or of every app, came after it.
 */
export function rollbacksInForce(entries: Iterable<LoggedAction>): Map<string, LoggedAction> {
  const inForce = new Map<string, LoggedAction>();
  for (const e of entries) {
    if (e.action.kind === 'rollback') inForce.set(e.action.appId, e);
    else if (e.action.kind !== 'reload') continue;
    else if (e.action.appId === null) inForce.clear();
    else inForce.delete(e.action.appId);
  }
  return inForce;
}

/** The rollbacks in force that carry their snapshot's files, by app: what a start serves pinned. */
export function rollbackPins(rollbacks: readonly LoggedAction[]): Map<string, RollbackPin> {
  const pins = new Map<string, RollbackPin>();
  for (const { action } of rollbacks)
    if (action.kind === 'rollback' && action.files)
      pins.set(action.appId, { hash: action.hash, files: action.files });
  return pins;
}
