import type { JourneyEvent, JourneyUser, NewOffer, Offer, Partition } from '../domain/journey-types.js';
import type { StoredEvent, StoredOffer, StoredUser } from './journeys-indexes.js';

/**
 * The journeys records as the document store keeps them (each with its partition) and as
 * the port returns them (without): the conversions both ways, and the merge of a patch.
 */

const withoutPartition = <T extends Partition>({ appId: _a, environment: _e, ...rest }: T) => rest;
export const publicUser = (u: StoredUser): JourneyUser => withoutPartition(u);
export const publicEvent = (e: StoredEvent): JourneyEvent => withoutPartition(e);
export const publicOffer = (o: StoredOffer): Offer => withoutPartition(o);

/** The user fields a patch may set one by one (tags and metadata are merged). */
export const PATCHABLE = ['displayName', 'email', 'phone', 'country', 'device', 'source'] as const;

/** Merges a patch of tags or metadata into a new object; `null` removes a key. */
export function merged<V>(
  current: Record<string, V>,
  patch: Record<string, V | null> | undefined,
): Record<string, V> {
  if (!patch) return current;
  const next: Record<string, V> = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete next[k];
    else next[k] = v;
  }
  return next;
}

/** A user known only by id: every profile field empty. */
export function bareUser(p: Partition, externalId: string, at: string, id: string): StoredUser {
  return {
    id,
    externalId,
    displayName: null,
    email: null,
    phone: null,
    country: null,
    device: null,
    source: null,
    tags: {},
    metadata: {},
    createdAt: at,
    updatedAt: at,
    appId: p.appId,
    environment: p.environment,
  };
}

/** A planned offer as stored once accepted: active, never claimed. */
export function storedOffer(p: Partition, offer: NewOffer): StoredOffer {
  const { notOfferedSince: _since, ...fields } = offer;
  return { ...fields, status: 'active', claimedAt: null, appId: p.appId, environment: p.environment };
}
