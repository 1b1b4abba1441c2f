import type { UserActivity } from '../banner/domain/user-activity.js';
import type { Assignment, Exposure, TrackedEvent } from '../banner/store/banner-store.js';
import type { JourneyEvent, JourneyUser, Offer, Partition } from '../journeys/domain/journey-types.js';
import type { Ban } from '../offerwall/domain/bans.js';
import type { OfferProgress } from '../offerwall/domain/progress.js';
import type { StoredCatalog, TransactionRecord } from '../offerwall/store/offerwall-store.js';
import { isoTime as time, isoTimeOrNull as timeOrNull } from './portable.js';

/*
 * The canonical shape of each portable collection, built field by field from what an
 * adapter holds, so two adapters holding the same data export the same JSON: exactly
 * these fields, times as ISO with milliseconds, lists in a defined order.
 */

export type BannerUserRecord = UserActivity & { appId: string };
export type AssignmentRecord = Assignment & { appId: string };
export interface RecentEventsRecord {
  appId: string;
  userId: string;
  /** Oldest first. */
  events: TrackedEvent[];
}
export type ExposureRecord = Exposure & { appId: string; exposures: number };
export type JourneyUserRecord = JourneyUser & Partition;
export type JourneyEventRecord = JourneyEvent & Partition;
export type JourneyOfferRecord = Offer & Partition;

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
});

export const trackedEvent = (e: TrackedEvent): TrackedEvent => ({
  userId: e.userId,
  name: e.name,
  time: e.time,
  receivedAt: time(e.receivedAt),
  renderId: e.renderId,
  experimentId: e.experimentId,
  variationId: e.variationId,
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

export const catalogRecord = (c: StoredCatalog): StoredCatalog => ({
  appId: c.appId,
  wallId: c.wallId,
  syncedAt: time(c.syncedAt),
  offers: c.offers,
});

export const progressRecord = (p: OfferProgress): OfferProgress => ({
  appId: p.appId,
  uid: p.uid,
  offerId: p.offerId,
  wallId: p.wallId,
  category: p.category,
  offerType: p.offerType,
  status: p.status,
  sid3: p.sid3,
  clicks: p.clicks,
  firstClickAt: timeOrNull(p.firstClickAt),
  lastClickAt: timeOrNull(p.lastClickAt),
  completedEvents: [...p.completedEvents],
  completedAt: timeOrNull(p.completedAt),
  updatedAt: time(p.updatedAt),
});

export const transactionRecord = (t: TransactionRecord): TransactionRecord => ({
  appId: t.appId,
  transactionId: t.transactionId,
  uid: t.uid,
  offerId: t.offerId,
  eventId: t.eventId,
  at: time(t.at),
});

export const banRecord = (b: Ban): Ban => ({
  id: b.id,
  appId: b.appId,
  type: b.type,
  value: b.value,
  wallId: b.wallId,
  reason: b.reason,
  createdAt: time(b.createdAt),
});

export const journeyUserRecord = (u: JourneyUserRecord): JourneyUserRecord => ({
  appId: u.appId,
  environment: u.environment,
  id: u.id,
  externalId: u.externalId,
  displayName: u.displayName,
  email: u.email,
  phone: u.phone,
  country: u.country,
  device: u.device,
  source: u.source,
  tags: u.tags,
  metadata: u.metadata,
  createdAt: time(u.createdAt),
  updatedAt: time(u.updatedAt),
});

export const journeyEventRecord = (e: JourneyEventRecord): JourneyEventRecord => ({
  appId: e.appId,
  environment: e.environment,
  id: e.id,
  externalId: e.externalId,
  clientEventId: e.clientEventId,
  category: e.category,
  eventType: e.eventType,
  points: e.points,
  occurredAt: time(e.occurredAt),
  receivedAt: time(e.receivedAt),
  metadata: e.metadata,
});

export const journeyOfferRecord = (o: JourneyOfferRecord): JourneyOfferRecord => ({
  appId: o.appId,
  environment: o.environment,
  id: o.id,
  externalId: o.externalId,
  offerType: o.offerType,
  gameType: o.gameType,
  title: o.title,
  description: o.description,
  pointsValue: o.pointsValue,
  status: o.status,
  createdAt: time(o.createdAt),
  expiresAt: time(o.expiresAt),
  claimedAt: timeOrNull(o.claimedAt),
  metadata: o.metadata,
});
