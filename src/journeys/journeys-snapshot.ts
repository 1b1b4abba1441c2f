import type { SnapshotScope, UserSnapshot } from '../fixtures/user-snapshot.js';
import type { Store } from '../store/store.js';
import type { Environment, Partition } from './domain/journey-types.js';
import {
  journeyEventRecord,
  journeyOfferRecord,
  journeyUserRecord,
} from './store/journeys-portable-records.js';
import type { UserActivity } from './store/journeys-store.js';

/** One user's activity in a partition as a snapshot (explain, and the generation job's recorded decisions). */
export function activitySnapshot(p: Partition, activity: UserActivity): UserSnapshot {
  return {
    api: 'journeys',
    userId: activity.user.externalId,
    environment: p.environment,
    records: {
      'journeys.users': [journeyUserRecord({ ...activity.user, ...p })],
      'journeys.events': activity.events.map((e) => journeyEventRecord({ ...e, ...p })),
      'journeys.offers': activity.offers.map((o) => journeyOfferRecord({ ...o, ...p })),
    },
  };
}

/** What the journeys API keeps about one user (explain, replay), live first; null for one it never saw. */
export async function journeysSnapshot(
  store: Store,
  appId: string,
  externalId: string,
  scope: SnapshotScope,
): Promise<UserSnapshot | null> {
  const environments: readonly Environment[] =
    scope.environment === 'live' || scope.environment === 'test' ? [scope.environment] : ['live', 'test'];
  for (const environment of environments) {
    const p = { appId, environment };
    const user = await store.journeys.getUser(p, externalId);
    if (!user) continue;
    const [events, offers] = await Promise.all([
      store.journeys.userEvents(p, externalId),
      store.journeys.userOffers(p, externalId),
    ]);
    return activitySnapshot(p, { user, events, offers });
  }
  return null;
}
