import type { SnapshotScope, UserSnapshot } from '../fixtures/user-snapshot.js';
import type { Store } from '../store/store.js';
import type { Environment, JourneyEvent, JourneyUser, Offer, Partition } from './domain/journey-types.js';
import {
  journeyEventRecord,
  journeyOfferRecord,
  journeyUserRecord,
} from './store/journeys-portable-records.js';
import type { JourneysStore } from './store/journeys-store.js';

/** Everything stored about one user in a partition. */
export interface UserRecords {
  user: JourneyUser;
  events: readonly JourneyEvent[];
  offers: readonly Offer[];
}

/** One user's records in a partition as a snapshot (explain, and the generation job's recorded decisions). */
export function activitySnapshot(p: Partition, activity: UserRecords): UserSnapshot {
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

/**
 * The snapshot of a user the generation job decided about: their offers as the job read
 * them (before this run's, which a replay must not see) and their events read now. The
 * job reads event totals, not events, so the events are read for the sampled users only;
 * an event tracked between the job's read and this one is in the snapshot too.
 */
export async function generationSnapshot(
  store: JourneysStore,
  p: Partition,
  user: JourneyUser,
  offers: readonly Offer[],
): Promise<UserSnapshot> {
  const events = await store.userEvents(p, user.externalId);
  return activitySnapshot(p, { user, events, offers });
}
