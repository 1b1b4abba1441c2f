import type { JourneyEvent, JourneyUser, Offer, Partition } from './domain/journey-types.js';
import type { JourneyEvaluation } from './journey-evaluator.js';

/**
 * The JSON shapes of the GamifyHost-compatible API (field names are the contract's).
 * Documented string fields are never null: GamifyHost's docs show `""` for an unset one,
 * and a client that casts them to a non-null string would throw on null.
 */

/** `partnerId` (the vendor's account) is the offerd app; `environment` upper case as documented. */
function owner(p: Partition) {
  return { partnerId: p.appId, environment: p.environment === 'test' ? 'TEST' : 'LIVE' } as const;
}

export function profileView(user: JourneyUser, part: Partition, e: JourneyEvaluation) {
  const p = e.profile;
  return {
    id: user.id,
    externalId: user.externalId,
    ...owner(part),
    displayName: user.displayName ?? '',
    email: user.email ?? '',
    phone: user.phone ?? '',
    country: user.country ?? '',
    device: user.device ?? '',
    source: user.source ?? '',
    firstSeenAt: p.firstSeenAt,
    lastSeenAt: p.lastSeenAt,
    lifecycleStage: p.lifecycleStage,
    engagementTier: p.engagementTier,
    engagementScore: p.engagementScore,
    churnRisk: p.churnRisk,
    totalPlays: p.totalPlays,
    plays7d: p.plays7d,
    plays30d: p.plays30d,
    pointsEarned7d: p.pointsEarned7d,
    pointsEarned30d: p.pointsEarned30d,
    campaignsJoined: p.campaignsJoined,
    winRate: p.winRate,
    totalEvents: p.totalEvents,
    tags: user.tags,
    metadata: user.metadata,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
    recommendations: e.recommendations.map(({ priority, name, reason }) => ({ priority, name, reason })),
  };
}

export type ProfileView = ReturnType<typeof profileView>;

export function eventView(e: JourneyEvent, part: Partition) {
  return {
    id: e.id,
    externalId: e.externalId,
    ...owner(part),
    category: e.category,
    eventType: e.eventType,
    points: e.points,
    occurredAt: e.occurredAt,
    clientEventId: e.clientEventId ?? '',
    metadata: e.metadata,
  };
}

export type EventView = ReturnType<typeof eventView>;

export function offerView(o: Offer) {
  return {
    id: o.id,
    externalId: o.externalId,
    offerType: o.offerType,
    gameType: o.gameType ?? '',
    title: o.title,
    description: o.description,
    pointsValue: o.pointsValue,
    status: o.status,
    createdAt: o.createdAt,
    expiresAt: o.expiresAt,
    claimedAt: o.claimedAt,
    metadata: o.metadata,
  };
}
