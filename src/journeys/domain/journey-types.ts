/** The user-journeys data model, shared by the rules, the store port and the feature. */

export type Environment = 'live' | 'test';

/** Where a record lives: live and test data of one app never meet. */
export interface Partition {
  appId: string;
  environment: Environment;
}

export type Device = 'mobile' | 'desktop' | 'tablet';
export type Tags = Record<string, string | number | boolean>;

/** A user as stored: what the client told us, never anything computed. */
export interface JourneyUser {
  id: string;
  externalId: string;
  displayName: string | null;
  email: string | null;
  phone: string | null;
  country: string | null;
  device: Device | null;
  source: string | null;
  tags: Tags;
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

/** Fields a client may set on upsert; a missing field keeps its value, `null` clears it. */
export interface UserPatch {
  externalId: string;
  displayName?: string | null;
  email?: string | null;
  phone?: string | null;
  country?: string | null;
  device?: Device | null;
  source?: string | null;
  /** Merged key by key into the stored tags; a `null` value removes the key. */
  tags?: Record<string, string | number | boolean | null>;
  /** Merged key by key into the stored metadata; a `null` value removes the key. */
  metadata?: Record<string, unknown>;
}

export interface JourneyEvent {
  id: string;
  externalId: string;
  /** The client's own id for this event: a retry with it is recognised and not stored twice. */
  clientEventId: string | null;
  category: string;
  eventType: string;
  points: number;
  occurredAt: string;
  receivedAt: string;
  metadata: Record<string, unknown>;
}

export type NewEvent = Omit<JourneyEvent, 'receivedAt'>;

export type OfferStatus = 'active' | 'claimed' | 'expired';

export interface Offer {
  id: string;
  externalId: string;
  offerType: string;
  gameType: string | null;
  title: string;
  description: string;
  pointsValue: number;
  status: OfferStatus;
  createdAt: string;
  expiresAt: string;
  claimedAt: string | null;
  metadata: Record<string, unknown>;
}

/** An offer the generation job wants to create, and the conditions the store re-checks. */
export interface NewOffer extends Omit<Offer, 'status' | 'claimedAt'> {
  /** Refuse when an offer of this type was created for the user after this instant (cooldown). */
  notOfferedSince: string | null;
}

/** The invariants of active offers, from the app's rules. */
export interface OfferLimits {
  /** At most this many active offers per user. */
  maxActiveOffers: number;
  /** At most this many active offers of one type per user. */
  maxActivePerType: number;
  /** Users not seen for more than this many days get no new offers. */
  inactivityDays: number;
}

/** An offer counts as active while its status says so AND it has not reached its expiry. */
export function isLive(offer: Pick<Offer, 'status' | 'expiresAt'>, now: Date): boolean {
  return offer.status === 'active' && Date.parse(offer.expiresAt) > now.getTime();
}

export const OFFER_CLAIMED_EVENT = 'offer_claimed';
export const OFFER_EVENT_CATEGORY = 'OFFER';
export const GAME_PLAY_CATEGORY = 'GAME_PLAY';
export const CAMPAIGN_CATEGORY = 'CAMPAIGN';
