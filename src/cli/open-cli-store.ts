import { openStore } from '../apis.js';
import type { OfferdConfig } from '../config/config-types.js';
import { DataDirLockedError } from '../store/document/data-dir-lock.js';
import type { Store } from '../store/store.js';

/**
 * The configured store for a CLI command that the running service can do itself. On lowdb
 * a live service holds the data dir, and the lock's own advice ("stop that process first")
 * told an account manager to stop production: this names the service's way instead,
 * `instead` (`POST /admin/apps/demo/explain (the console's Explain a player page)`).
 */
export async function openCliStore(config: OfferdConfig, instead: string): Promise<Store> {
  try {
    return await openStore(config);
  } catch (err) {
    if (!(err instanceof DataDirLockedError) || !err.holderAlive || !err.holder) throw err;
    const h = err.holder;
    throw new DataDirLockedError(
      err.dir,
      h,
      `the data directory ${err.dir} is in use by offerd process ${h.pid} on ${h.hostname} (since ${h.lockedAt}), the running service: ask it instead, ${instead}; do not stop it for this. With PostgreSQL (OFFERD_STORE=postgres) the CLI and the service share the store`,
      true,
    );
  }
}
