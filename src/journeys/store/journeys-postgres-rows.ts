import type { Device, JourneyEvent, JourneyUser, Offer, OfferStatus } from '../domain/journey-types.js';

export type Row = Record<string, unknown>;

/** A timestamp column as an ISO string: a Date from pg's parser, or text from ISO_TIMESTAMPS. */
export const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : String(v));
const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export const USER_COLUMNS = `id, external_id, display_name, email, phone, country, device, source, tags, metadata,
  created_at, updated_at`;
export const EVENT_COLUMNS = `id, external_id, client_event_id, category, event_type, points, occurred_at,
  received_at, metadata`;
export const OFFER_COLUMNS = `id, external_id, offer_type, game_type, title, description, points_value, status,
  created_at, expires_at, claimed_at, metadata`;

export function toUser(r: Row): JourneyUser {
  return {
    id: String(r.id),
    externalId: String(r.external_id),
    displayName: text(r.display_name),
    email: text(r.email),
    phone: text(r.phone),
    country: text(r.country),
    device: text(r.device) as Device | null,
    source: text(r.source),
    tags: r.tags as JourneyUser['tags'],
    metadata: r.metadata as Record<string, unknown>,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

export function toEvent(r: Row): JourneyEvent {
  return {
    id: String(r.id),
    externalId: String(r.external_id),
    clientEventId: text(r.client_event_id),
    category: String(r.category),
    eventType: String(r.event_type),
    points: Number(r.points),
    occurredAt: iso(r.occurred_at),
    receivedAt: iso(r.received_at),
    metadata: r.metadata as Record<string, unknown>,
  };
}

export function toOffer(r: Row): Offer {
  return {
    id: String(r.id),
    externalId: String(r.external_id),
    offerType: String(r.offer_type),
    gameType: text(r.game_type),
    title: String(r.title),
    description: String(r.description),
    pointsValue: Number(r.points_value),
    status: r.status as OfferStatus,
    createdAt: iso(r.created_at),
    expiresAt: iso(r.expires_at),
    claimedAt: r.claimed_at === null ? null : iso(r.claimed_at),
    metadata: r.metadata as Record<string, unknown>,
  };
}
