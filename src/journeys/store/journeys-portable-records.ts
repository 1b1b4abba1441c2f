import { isoTime as time, isoTimeOrNull as timeOrNull } from '../../store/portable.js';
import type { JourneyEvent, JourneyUser, Offer, Partition } from '../domain/journey-types.js';

/*
 * The canonical shape of each portable collection, built field by field from what an
 * adapter holds, so two adapters holding the same data export the same JSON: exactly
 * these fields, times as ISO with milliseconds, lists in a defined order.
 */

export type JourneyUserRecord = JourneyUser & Partition;

export type JourneyEventRecord = JourneyEvent & Partition;

export type JourneyOfferRecord = Offer & Partition;

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
