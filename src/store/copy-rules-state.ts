import { rollbackPins } from './admin-action-log.js';
import type { Store } from './store.js';

/** What copyRulesState carried, per app. */
export interface CarriedRulesState {
  appId: string;
  kept: number;
  /** The hash of the rollback in force it carried, or null. */
  rollback: string | null;
}

/**
 * The rules' state a store holds beside the records, carried by `offerd store copy`: each
 * app's kept snapshots (the last good rules a start falls back to, and what a rollback may
 * go back to), oldest first so that the last activated stays the last good, and the rollback
 * in force. Without it a copy served the files the rollback had pinned away, unpinned, and a
 * rollback to the earlier hash answered SNAPSHOT_NOT_FOUND (newcomer probe). The snapshots'
 * times become the copy's; the admin log's other entries are history and stay behind.
 */
export async function copyRulesState(
  from: Store,
  to: Store,
  appIds: readonly string[],
): Promise<CarriedRulesState[]> {
  const pins = rollbackPins((await from.adminActions.current()).rollbacks);
  const carried: CarriedRulesState[] = [];
  // The configured apps, and any app under a rollback in the source's log (the config in
  // force may no longer name it: its rollback must not vanish silently, focused probe).
  for (const appId of new Set([...appIds, ...pins.keys()])) {
    const entries = [...(await from.lastGoodRules.kept(appId))].reverse();
    const last = await from.lastGoodRules.get(appId);
    let kept = 0;
    for (const { hash } of entries) {
      const snapshot = await from.lastGoodRules.find(appId, hash);
      if (!snapshot || snapshot.hash === last?.hash) continue;
      await to.lastGoodRules.put(appId, snapshot);
      kept++;
    }
    if (last) {
      await to.lastGoodRules.put(appId, last);
      kept++;
    }
    const pin = pins.get(appId);
    if (pin)
      await to.adminActions.append(
        { kind: 'rollback', appId, ...pin, files: [...pin.files] },
        'offerd store copy',
        0,
      );
    if (kept > 0 || pin) carried.push({ appId, kept, rollback: pin?.hash ?? null });
  }
  return carried;
}
