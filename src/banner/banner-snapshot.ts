import type { SnapshotScope, UserSnapshot } from '../fixtures/user-snapshot.js';
import type { Store } from '../store/store.js';
import { assignmentRecord, bannerUserRecord, recentEventsRecord } from './store/banner-portable-records.js';
import type { AliasPortableRecord, ProfilePortableRecord } from './store/profile-portable-records.js';

/**
 * What the banner API keeps about one user (explain, replay); null for a user it never saw.
 * `userId` may be an SDK alias: serving decides for its distinct id, so the snapshot holds
 * the distinct id's state plus the alias link, and the replayed service resolves it the same way.
 */
export async function bannerSnapshot(
  store: Store,
  appId: string,
  userId: string,
  _scope: SnapshotScope = {},
): Promise<UserSnapshot | null> {
  const distinctId = await store.profiles.resolve(appId, userId);
  const [user, properties] = await Promise.all([
    store.banner.user(appId, distinctId),
    store.profiles.profile(appId, 'user', distinctId),
  ]);
  // A user known only by /engage properties is still a user serving would decide for with them.
  if (!user && !properties) return null;
  const [assignments, events] = await Promise.all([
    store.banner.assignments(appId, distinctId),
    store.banner.recentEvents(appId, distinctId),
  ]);
  const profile: ProfilePortableRecord[] = properties
    ? [{ appId, kind: 'user', id: distinctId, properties }]
    : [];
  const alias: AliasPortableRecord[] = distinctId !== userId ? [{ appId, alias: userId, distinctId }] : [];
  return {
    api: 'banner',
    userId,
    records: {
      'banner.users': user ? [bannerUserRecord({ ...user, appId })] : [],
      'banner.assignments': assignments.map((a) => assignmentRecord({ ...a, appId })),
      'banner.recentEvents':
        events.length > 0 ? [recentEventsRecord({ appId, userId: distinctId, events })] : [],
      'profiles.profiles': profile,
      'profiles.aliases': alias,
    },
  };
}
