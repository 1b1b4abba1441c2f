import type { SnapshotFile } from '../rules/rules-status.js';

/** An app's rule files as they last went live from its rules dir. */
export interface LastGoodSnapshot {
  hash: string;
  files: SnapshotFile[];
}

/**
 * The rules each app last activated from its files, kept by the store: a start whose files
 * fail to load (a broken file left on disk, then a crash, an OOM kill or a deploy) serves
 * them instead of nothing. Before, only the running process held them, and the restart
 * answered 503 on every API of the app (operator probe). Rollbacks are the admin log's.
 */
export interface LastGoodRules {
  /** Keeps `snapshot` as the app's last good rules, durably; replaces the one before. */
  put(appId: string, snapshot: LastGoodSnapshot): Promise<void>;
  get(appId: string): Promise<LastGoodSnapshot | null>;
}
