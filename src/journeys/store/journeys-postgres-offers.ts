import type pg from 'pg';
import type { NewOffer, Offer, OfferLimits, Partition } from '../domain/journey-types.js';
import { limitRejection } from '../domain/offer-limits.js';
import { iso, type Row } from './journeys-postgres-rows.js';
import { ISO_TIMESTAMPS } from './journeys-postgres-timestamps.js';
import type { OfferRejection } from './journeys-store.js';

type Counted = Pick<Offer, 'offerType' | 'status' | 'expiresAt' | 'createdAt'>;
export type OfferOutcome = { offer: NewOffer } & ({ created: Offer } | { reason: OfferRejection });

/**
 * `column = ANY(list)`, bounded by the list's smallest and largest value as the database
 * orders them (its collation, not JavaScript's): with the bounds the planner reads one
 * index range; without them it chose a sequential scan of the whole table on every chunk
 * once the list held a few thousand keys (measured at 100,000 users and 300,000 offers:
 * 24 ms -> 1.7 ms for the users, 145 ms -> 6 ms for the offer ids), so a generation run grew
 * with the square of the users. A chunk's users are a key range (the job scans in key
 * order) and its offer ids are time-ordered (UUIDv7, see journeys-generation.ts).
 */
function inKeyRange(column: string, list: string): string {
  return `${column} >= (SELECT min(k) FROM unnest(${list}::text[]) k)
    AND ${column} <= (SELECT max(k) FROM unnest(${list}::text[]) k) AND ${column} = ANY(${list}::text[])`;
}

// One advisory lock per partition holds both offer limits across instances: every
// createOffers of the partition takes it for its transaction, so two runs (one process or
// several) take turns chunk by chunk and each reads what the other committed. It replaces
// a FOR NO KEY UPDATE on every user of the chunk, which wrote a lock into each user row:
// a million row writes per run at a million users. One lock, so no lock order to keep.
const LOCK_PARTITION = `SELECT pg_advisory_xact_lock(hashtextextended('journeys-offers:' || $1 || ':' || $2, 0))`;

// Users are never deleted, so a user seen here still exists at insert time (the offers'
// foreign key is gone since migration 202; this check is what keeps unknown users out).
const KNOWN_USERS = `
  SELECT external_id FROM journeys_users
  WHERE app_id = $1 AND environment = $2 AND ${inKeyRange('external_id', '$3')}`;

// Read after the lock: in READ COMMITTED each statement sees what committed before it,
// so every offer another instance created for these users is counted. Only what a limit
// can look at: live offers, and offers recent enough for the earliest cooldown.
const COUNTED_OFFERS = `
  SELECT external_id, offer_type, status, expires_at, created_at FROM journeys_offers
  WHERE app_id = $1 AND environment = $2 AND ${inKeyRange('external_id', '$3')}
    AND ((status = 'active' AND expires_at > $4) OR created_at > $5)`;

const TAKEN_IDS = `
  SELECT id FROM journeys_offers WHERE app_id = $1 AND environment = $2 AND ${inKeyRange('id', '$3')}`;

// Column arrays through unnest, not a JSON document: no JSON to build or parse per offer.
// Only the ids come back; the rest of each created offer is what was sent.
/** The chunk's three reads, exported for the test that holds their plans to index ranges. */
export const CHUNK_READS = { knownUsers: KNOWN_USERS, countedOffers: COUNTED_OFFERS, takenIds: TAKEN_IDS };

const INSERT_OFFERS = `
  INSERT INTO journeys_offers (app_id, environment, id, external_id, offer_type, game_type, title,
    description, points_value, status, created_at, expires_at, claimed_at, metadata)
  SELECT $1, $2, t.id, t.external_id, t.offer_type, t.game_type, t.title, t.description, t.points_value,
    'active', t.created_at, t.expires_at, NULL, t.metadata
  FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int[],
    $10::timestamptz[], $11::timestamptz[], $12::jsonb[])
    WITH ORDINALITY AS t(id, external_id, offer_type, game_type, title, description, points_value,
      created_at, expires_at, metadata, ord)
  ORDER BY t.ord
  ON CONFLICT DO NOTHING
  RETURNING id`;

function byUser(rows: Row[]): Map<string, Counted[]> {
  const map = new Map<string, Counted[]>();
  for (const r of rows) {
    const list = map.get(String(r.external_id)) ?? [];
    list.push({
      offerType: String(r.offer_type),
      status: r.status as Offer['status'],
      expiresAt: iso(r.expires_at),
      createdAt: iso(r.created_at),
    });
    map.set(String(r.external_id), list);
  }
  return map;
}

/** The earliest cooldown start in the chunk: older offers cannot matter to any of its checks. */
function earliestSince(offers: readonly NewOffer[]): string {
  const since = offers.flatMap((o) => (o.notOfferedSince === null ? [] : [Date.parse(o.notOfferedSince)]));
  return since.length === 0 ? 'infinity' : new Date(Math.min(...since)).toISOString();
}

/**
 * One chunk of createOffers in the caller's transaction, in five statements whatever
 * its size: lock the partition, read which users exist, read what their limits count, check each offer in
 * order (each accepted one counting for the next), insert the accepted ones at once.
 */
export async function createOfferChunk(
  c: pg.PoolClient,
  p: Partition,
  offers: readonly NewOffer[],
  limits: OfferLimits,
  now: Date,
): Promise<OfferOutcome[]> {
  const scope = [p.appId, p.environment];
  const users = [...new Set(offers.map((o) => o.externalId))];
  await c.query(LOCK_PARTITION, scope);
  const known = new Set(
    (await c.query(KNOWN_USERS, [...scope, users])).rows.map((r: Row) => String(r.external_id)),
  );
  const counted = byUser(
    (
      await c.query({
        text: COUNTED_OFFERS,
        values: [...scope, users, now, earliestSince(offers)],
        types: ISO_TIMESTAMPS,
      })
    ).rows,
  );
  const taken = new Set(
    (await c.query(TAKEN_IDS, [...scope, offers.map((o) => o.id)])).rows.map((r: Row) => String(r.id)),
  );
  const verdicts = offers.map((offer): OfferRejection | null => {
    if (!known.has(offer.externalId)) return 'unknown_user';
    if (taken.has(offer.id)) return 'duplicate_id';
    const existing = counted.get(offer.externalId) ?? [];
    const reason = limitRejection(existing, offer, limits, now);
    if (reason) return reason;
    taken.add(offer.id);
    // The four fields a limit reads, not a copy of the whole offer.
    existing.push({
      offerType: offer.offerType,
      status: 'active',
      expiresAt: offer.expiresAt,
      createdAt: offer.createdAt,
    });
    counted.set(offer.externalId, existing);
    return null;
  });
  const accepted = offers.filter((_, i) => verdicts[i] === null);
  const inserted = new Set<string>();
  if (accepted.length > 0) {
    const { rows } = await c.query(INSERT_OFFERS, [...scope, ...insertColumns(accepted)]);
    for (const r of rows) inserted.add(String((r as Row).id));
  }
  return offers.map((offer, i) => {
    const verdict = verdicts[i] ?? null;
    if (verdict !== null) return { offer, reason: verdict };
    // Accepted but not inserted: a concurrent run gave another user an offer with this id.
    return inserted.has(offer.id) ? { offer, created: asStored(offer) } : { offer, reason: 'duplicate_id' };
  });
}

const ESCAPED = /["\\]/;

/**
 * A PostgreSQL array literal of `offers.map(value)`, every element quoted (NULL for
 * null): what pg builds from a JS array, without its two regex replacements and its
 * checks per element (pg's array serialization was 3.7 % of a generation run's CPU).
 */
function arrayLiteral(offers: readonly NewOffer[], value: (o: NewOffer) => string | number | null): string {
  let out = '{';
  for (let i = 0; i < offers.length; i++) {
    const v = value(offers[i] as NewOffer);
    if (i > 0) out += ',';
    if (v === null) out += 'NULL';
    else if (typeof v === 'number') out += String(v);
    else out += `"${ESCAPED.test(v) ? v.replace(/["\\]/g, '\\$&') : v}"`;
  }
  return `${out}}`;
}

/** The insert's parameters: one array literal per column, in INSERT_OFFERS' order. */
function insertColumns(offers: readonly NewOffer[]): string[] {
  return [
    arrayLiteral(offers, (o) => o.id),
    arrayLiteral(offers, (o) => o.externalId),
    arrayLiteral(offers, (o) => o.offerType),
    arrayLiteral(offers, (o) => o.gameType),
    arrayLiteral(offers, (o) => o.title),
    arrayLiteral(offers, (o) => o.description),
    arrayLiteral(offers, (o) => o.pointsValue),
    arrayLiteral(offers, (o) => o.createdAt),
    arrayLiteral(offers, (o) => o.expiresAt),
    arrayLiteral(offers, (o) => JSON.stringify(o.metadata)),
  ];
}

/**
 * An instant as toOffer reads it back. The planner's are already in that form: only
 * other spellings are parsed (Date parsing was a visible part of a run's CPU profile).
 */
function asRead(instant: string): string {
  return instant.length === 24 && instant.endsWith('Z') ? instant : new Date(instant).toISOString();
}

/**
 * The offer as a read would return it. Field by field rather than a rest spread without
 * `notOfferedSince`: V8 copies a rest spread key by key, a visible share of a large run.
 */
function asStored(o: NewOffer): Offer {
  return {
    id: o.id,
    externalId: o.externalId,
    offerType: o.offerType,
    gameType: o.gameType,
    title: o.title,
    description: o.description,
    pointsValue: o.pointsValue,
    status: 'active',
    createdAt: asRead(o.createdAt),
    expiresAt: asRead(o.expiresAt),
    claimedAt: null,
    metadata: o.metadata,
  };
}
