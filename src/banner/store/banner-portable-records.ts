import { isoTime as time, isoTimeOrNull as timeOrNull } from '../../store/portable.js';
import type { UserActivity } from '../domain/user-activity.js';
import type { Assignment, AssignmentValue, ExperimentKey, Exposure, TrackedEvent } from './banner-store.js';

/*
 * The canonical shape of each portable collection, built field by field from what an
 * adapter holds, so two adapters holding the same data export the same JSON: exactly
 * these fields, times as ISO with milliseconds, lists in a defined order.
 */

export type BannerUserRecord = UserActivity & { appId: string };

/** `values`: the revenue sums of the assignment, left out when it has none. */
export type AssignmentRecord = Assignment & { appId: string; values?: AssignmentValue[] };

export interface RecentEventsRecord {
  appId: string;
  userId: string;
  /** Oldest first. */
  events: TrackedEvent[];
}

export type ExposureRecord = Exposure & { appId: string; exposures: number };

/** When an experiment's bucket versions up to `bucketVersion` ended: results take no event after it. */
export interface ExperimentEndRecord extends ExperimentKey {
  appId: string;
  /** ISO 8601. */
  endedAt: string;
}

export const bannerUserRecord = (u: BannerUserRecord): BannerUserRecord => ({
  appId: u.appId,
  userId: u.userId,
  firstSeenAt: time(u.firstSeenAt),
  lastSeenAt: timeOrNull(u.lastSeenAt),
  renders: u.renders,
  events: u.events,
  purchases: u.purchases,
  lastEventAt: timeOrNull(u.lastEventAt),
  lastPurchaseAt: timeOrNull(u.lastPurchaseAt),
  eventStats: u.eventStats
    .map((s) => ({ name: s.name, count: s.count, lastAt: time(s.lastAt) }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
});

export const assignmentRecord = (a: AssignmentRecord): AssignmentRecord => ({
  appId: a.appId,
  experimentId: a.experimentId,
  bucketVersion: a.bucketVersion,
  userId: a.userId,
  variationId: a.variationId,
  assignedAt: time(a.assignedAt),
  ...(a.weights ? { weights: a.weights } : {}),
  ...(a.values && a.values.length > 0
    ? {
        values: a.values
          .map((v) => ({ event: v.event, sum: v.sum }))
          .sort((x, y) => (x.event < y.event ? -1 : x.event > y.event ? 1 : 0)),
      }
    : {}),
});

export const trackedEvent = (e: TrackedEvent): TrackedEvent => ({
  userId: e.userId,
  name: e.name,
  time: e.time,
  receivedAt: time(e.receivedAt),
  renderId: e.renderId,
  experimentId: e.experimentId,
  variationId: e.variationId,
  // Exports written before events kept a value have none.
  value: e.value ?? null,
});

export const recentEventsRecord = (r: RecentEventsRecord): RecentEventsRecord => ({
  appId: r.appId,
  userId: r.userId,
  events: r.events.map(trackedEvent),
});

export const exposureRecord = (c: ExposureRecord): ExposureRecord => ({
  appId: c.appId,
  experimentId: c.experimentId,
  bucketVersion: c.bucketVersion,
  variationId: c.variationId,
  exposures: c.exposures,
});

export const experimentEndRecord = (e: ExperimentEndRecord): ExperimentEndRecord => ({
  appId: e.appId,
  experimentId: e.experimentId,
  bucketVersion: e.bucketVersion,
  endedAt: time(e.endedAt),
});
