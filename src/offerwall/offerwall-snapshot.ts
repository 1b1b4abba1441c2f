import type { SnapshotScope, UserSnapshot } from '../fixtures/user-snapshot.js';
import type { Store } from '../store/store.js';
import { banRecord, catalogRecord, progressRecord } from './store/offerwall-portable-records.js';

/** What the offerwall keeps about one user of a wall (explain, replay); null for a uid it never saw. */
export async function offerwallSnapshot(
  store: Store,
  appId: string,
  uid: string,
  scope: SnapshotScope,
): Promise<UserSnapshot | null> {
  const wallId = scope.wallId ?? 0;
  const [progress, bans, catalog] = await Promise.all([
    store.offerwall.progressOf(appId, uid),
    store.offerwall.bansFor(appId, uid),
    store.offerwall.getCatalog(appId, wallId),
  ]);
  // The offerwall keeps no user record: a uid it never saw click, complete or get banned is unknown.
  if (progress.length === 0 && !bans.some((b) => b.type === 'user') && !scope.evenIfUnseen) return null;
  return {
    api: 'offerwall',
    userId: uid,
    wallId,
    records: {
      'offerwall.catalogs': catalog ? [catalogRecord(catalog)] : [],
      'offerwall.progress': progress.map(progressRecord),
      'offerwall.bans': bans.map(banRecord),
    },
  };
}
