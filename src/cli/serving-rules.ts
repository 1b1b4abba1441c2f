import { createAppLoader } from '../apis.js';
import type { AppRules } from '../rules/app-rules.js';
import { snapshotTexts } from '../rules/snapshot-texts.js';
import { rollbackPins } from '../store/admin-action-log.js';
import type { Store } from '../store/store.js';

/** The rules a command explains under, and why those when they are not the files on disk. */
export interface ServingRules {
  rules: AppRules;
  /** Null when they are the files on disk; else what they are, for stderr. */
  note: string | null;
}

/**
 * The rules the service serves the app from this store: the rollback in force (the admin
 * action log), else, on a store the running service shares (`running`: PostgreSQL), the
 * snapshot it last activated from files (the kept last-good rules: files on disk the
 * fixtures gate refused, or not reloaded yet, are not what serves), else the files on disk
 * (`disk`, loaded by the caller). The embedded store is read only while the service is
 * stopped, and its next start takes valid files on disk over what it kept. The CLI explained
 * under the files on disk and said only their hash, while the service served the rollback
 * or the last good rules (account-manager probe).
 */
export async function servingRules(
  store: Store,
  where: { rulesDir: string; appId: string; running: boolean },
  disk: AppRules | undefined,
): Promise<ServingRules | undefined> {
  const { rulesDir, appId } = where;
  const pin = rollbackPins((await store.adminActions.current()).rollbacks).get(appId);
  const kept = pin || !where.running ? null : await store.lastGoodRules.get(appId);
  const snapshot = pin ?? kept;
  if (!snapshot || snapshot.hash === disk?.hash) return disk && { rules: disk, note: null };
  const texts = snapshotTexts(rulesDir, appId, snapshot.hash, snapshot.files);
  const loaded =
    texts && createAppLoader().load({ appId, files: [...texts].map(([path, text]) => ({ path, text })) });
  if (!loaded?.ok) return disk && { rules: disk, note: null };
  const onDisk = disk
    ? `the files on disk (${disk.hash.slice(0, 12)})`
    : 'the files on disk, which do not load,';
  const note = pin
    ? `explained under the rollback in force, snapshot ${snapshot.hash.slice(0, 12)}: ${onDisk} wait for a reload`
    : `explained under the rules the service last activated, ${snapshot.hash.slice(0, 12)}: ${onDisk} were refused or not reloaded yet`;
  return { rules: loaded.rules, note };
}
