import type { SnapshotScope, UserSnapshot } from '../fixtures/user-snapshot.js';
import type { Store } from '../store/store.js';
import { assignmentRecord, bannerUserRecord, recentEventsRecord } from './store/banner-portable-records.js';

/** What the banner API keeps about one user (explain, replay); null for a user it never saw. */
export async function bannerSnapshot(
  store: Store,
  appId: string,
  userId: string,
  _scope: SnapshotScope = {},
): Promise<UserSnapshot | null> {
  const user = await store.banner.user(appId, userId);
  if (!user) return null;
  const [assignments, events] = await Promise.all([
    store.banner.assignments(appId, userId),
    store.banner.recentEvents(appId, userId),
  ]);
  return {
    api: 'banner',
    userId,
    records: {
      'banner.users': [bannerUserRecord({ ...user, appId })],
      'banner.assignments': assignments.map((a) => assignmentRecord({ ...a, appId })),
      'banner.recentEvents': events.length > 0 ? [recentEventsRecord({ appId, userId, events })] : [],
    },
  };
}
