import type { SnapshotScope, UserSnapshot } from '../fixtures/user-snapshot.js';
import type { Store } from '../store/store.js';
import type { ProfileProperties } from './domain/profile-ops.js';
import type { UserActivity } from './domain/user-activity.js';
import { assignmentRecord, bannerUserRecord, recentEventsRecord } from './store/banner-portable-records.js';
import type { Assignment, BannerStore, SdkVisitor, TrackedEvent } from './store/banner-store.js';
import type { AliasPortableRecord, ProfilePortableRecord } from './store/profile-portable-records.js';

/** What is kept of one distinct id, and the id it was asked by when that is an alias. */
interface BannerState {
  distinctId: string;
  user: UserActivity | null;
  assignments: readonly Assignment[];
  events: readonly TrackedEvent[];
  properties: ProfileProperties | null;
}

function snapshotOf(appId: string, userId: string, s: BannerState): UserSnapshot {
  const { distinctId, user, properties, events } = s;
  const profile: ProfilePortableRecord[] = properties
    ? [{ appId, kind: 'user', id: distinctId, properties }]
    : [];
  const alias: AliasPortableRecord[] = distinctId !== userId ? [{ appId, alias: userId, distinctId }] : [];
  return {
    api: 'banner',
    userId,
    records: {
      'banner.users': user ? [bannerUserRecord({ ...user, appId })] : [],
      'banner.assignments': s.assignments.map((a) => assignmentRecord({ ...a, appId })),
      'banner.recentEvents':
        events.length > 0 ? [recentEventsRecord({ appId, userId: distinctId, events: [...events] })] : [],
      'profiles.profiles': profile,
      'profiles.aliases': alias,
    },
  };
}

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
  const [user, properties, assignments] = await Promise.all([
    store.banner.user(appId, distinctId),
    store.profiles.profile(appId, 'user', distinctId),
    store.banner.assignments(appId, distinctId),
  ]);
  // A user known only by /engage properties is still a user serving would decide for with them;
  // so is one known only by an assignment (a crash can lose the visit, written behind, and
  // keep the assignment: explain said "no such user" of an enrolled player; kill -9 probe).
  if (!user && !properties && assignments.length === 0) return null;
  const events = await store.banner.recentEvents(appId, distinctId);
  return snapshotOf(appId, userId, { distinctId, user, assignments, events, properties });
}

/**
 * The state a render decided on, as it read it before writing (its visit, a first
 * assignment): a recorded decision then replays against what the player had when served —
 * a first visit as a first visit (an empty snapshot, not none), a lapsed player as lapsed.
 * Read after the render, the snapshot held the render's own visit, and an impact replay saw
 * every first and returning visit as a visit of today (account-manager probe). Recent
 * events are read now: a render writes none.
 */
export async function renderSnapshot(
  store: Pick<BannerStore, 'recentEvents'>,
  appId: string,
  visitor: SdkVisitor,
): Promise<UserSnapshot> {
  const events = await store.recentEvents(appId, visitor.userId);
  return snapshotOf(appId, visitor.userId, { ...visitor, distinctId: visitor.userId, events });
}
