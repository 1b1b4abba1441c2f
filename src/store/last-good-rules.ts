import type { SnapshotFile } from '../rules/rules-status.js';

/** An app's rule files as they last went live from its rules dir. */
export interface LastGoodSnapshot {
  hash: string;
  files: SnapshotFile[];
}

/** A snapshot kept for a rollback after a restart: the hash, and when it last went live. */
export interface KeptSnapshotEntry {
  hash: string;
  /** ISO 8601. */
  at: string;
}

/** Distinct snapshots kept per app, the newest first: as many as the registry's own history. */
export const KEPT_PER_APP = 10;

/**
 * The rules each app last activated from its files, kept by the store: a start whose files
 * fail to load (a broken file left on disk, then a crash, an OOM kill or a deploy) serves
 * them instead of nothing. Before, only the running process held them, and the restart
 * answered 503 on every API of the app (operator probe). Rollbacks are the admin log's.
 *
 * With them, the app's KEPT_PER_APP newest distinct snapshots: a rollback after a restart
 * (a deploy of bad rules) finds the one served before it, which the new process never
 * loaded (operator probe: SNAPSHOT_NOT_FOUND, since the history was the process's alone).
 */
export interface LastGoodRules {
  /** Keeps `snapshot` as the app's last good rules, durably; replaces the one before, which stays among the kept. */
  put(appId: string, snapshot: LastGoodSnapshot): Promise<void>;
  get(appId: string): Promise<LastGoodSnapshot | null>;
  /** One of the app's kept snapshots, by hash; null when it is not (or no longer) kept. */
  find(appId: string, hash: string): Promise<LastGoodSnapshot | null>;
  /** The app's kept snapshots, the newest first. */
  kept(appId: string): Promise<KeptSnapshotEntry[]>;
}
