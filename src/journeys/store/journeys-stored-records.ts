import type { JourneyEvent, JourneyUser, NewOffer, Offer, Partition } from '../domain/journey-types.js';
import type { JourneysShard, StoredEvent, StoredOffer, StoredUser } from './journeys-indexes.js';

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

/**
 * The one `{}` that every empty `tags` and `metadata` of the stored users and offers is.
 * JSON.parse gives each its own object: at the bench's 100,000 users, 500,000 of them;
 * shared, the journeys part of the heap went from 193 to 165 MB (bench/store-memory.ts,
 * 2026-12-02).
 * Stored records are never changed in place (merged() copies), and frozen, a write into
 * it would throw rather than reach every record.
 */
const NO_FIELDS: Readonly<Record<string, never>> = Object.freeze({});

/** `fields`, or the shared NO_FIELDS when it is empty. */
function orShared<V>(fields: Record<string, V>): Record<string, V> {
  for (const _ in fields) return fields;
  return NO_FIELDS;
}

/** Makes every empty `tags` and `metadata` of the shard's users and offers the shared NO_FIELDS. */
export function shareEmptyFields(shard: JourneysShard): void {
  for (const u of shard.users) {
    u.tags = orShared(u.tags);
    u.metadata = orShared(u.metadata);
  }
  for (const o of shard.offers) o.metadata = orShared(o.metadata);
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
    tags: NO_FIELDS,
    metadata: NO_FIELDS,
    createdAt: at,
    updatedAt: at,
    appId: p.appId,
    environment: p.environment,
  };
}

/** A planned offer as stored once accepted: active, never claimed. */
export function storedOffer(p: Partition, offer: NewOffer): StoredOffer {
  const { notOfferedSince: _since, ...fields } = offer;
  return {
    ...fields,
    metadata: orShared(fields.metadata),
    status: 'active',
    claimedAt: null,
    appId: p.appId,
    environment: p.environment,
  };
}
