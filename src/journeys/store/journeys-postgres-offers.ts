import type pg from 'pg';
import type { NewOffer, Offer, OfferLimits, Partition } from '../domain/journey-types.js';
import { limitRejection } from '../domain/offer-limits.js';
import { OFFER_COLUMNS, type Row, toOffer } from './journeys-postgres-rows.js';
import type { OfferRejection } from './journeys-store.js';

type Counted = Pick<Offer, 'offerType' | 'status' | 'expiresAt' | 'createdAt'>;
export type OfferOutcome = { offer: NewOffer } & ({ created: Offer } | { reason: OfferRejection });

// The per-user lock that holds both offer limits across instances. NO KEY UPDATE, not
// UPDATE: it serializes createOffers of one user but lets events and claims (which only
// take KEY SHARE through their foreign key) go on meanwhile. ORDER BY makes every
// transaction lock users in the same order, so overlapping runs wait, never deadlock.
const LOCK_USERS = `
  SELECT external_id FROM journeys_users
  WHERE app_id = $1 AND environment = $2 AND external_id = ANY($3::text[])
  ORDER BY external_id FOR NO KEY UPDATE`;

// Read after the lock: in READ COMMITTED each statement sees what committed before it,
// so every offer another instance created for these users is counted. Only what a limit
// can look at: live offers, and offers recent enough for the earliest cooldown.
const COUNTED_OFFERS = `
  SELECT external_id, offer_type, status, expires_at, created_at FROM journeys_offers
  WHERE app_id = $1 AND environment = $2 AND external_id = ANY($3::text[])
    AND ((status = 'active' AND expires_at > $4) OR created_at > $5)`;

const TAKEN_IDS = `
  SELECT id FROM journeys_offers WHERE app_id = $1 AND environment = $2 AND id = ANY($3::text[])`;

const INSERT_OFFERS = `
  INSERT INTO journeys_offers (app_id, environment, ${OFFER_COLUMNS})
  SELECT $1, $2, t.id, t.external_id, t.offer_type, t.game_type, t.title, t.description, t.points_value,
    'active', t.created_at, t.expires_at, NULL, t.metadata
  FROM jsonb_to_recordset($3::jsonb) AS t(id text, external_id text, offer_type text,
    game_type text, title text, description text, points_value integer, created_at timestamptz,
    expires_at timestamptz, metadata jsonb, ord bigint)
  ORDER BY t.ord
  ON CONFLICT DO NOTHING
  RETURNING ${OFFER_COLUMNS}`;

function byUser(rows: Row[]): Map<string, Counted[]> {
  const map = new Map<string, Counted[]>();
  for (const r of rows) {
    const list = map.get(String(r.external_id)) ?? [];
    list.push({
      offerType: String(r.offer_type),
      status: r.status as Offer['status'],
      expiresAt: (r.expires_at as Date).toISOString(),
      createdAt: (r.created_at as Date).toISOString(),
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
 * its size: lock the chunk's users, read what their limits count, check each offer in
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
  const locked = await c.query(LOCK_USERS, [...scope, users]);
  const known = new Set(locked.rows.map((r: Row) => String(r.external_id)));
  const counted = byUser((await c.query(COUNTED_OFFERS, [...scope, users, now, earliestSince(offers)])).rows);
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
    existing.push({ ...offer, status: 'active' });
    counted.set(offer.externalId, existing);
    return null;
  });
  const accepted = offers.filter((_, i) => verdicts[i] === null);
  const inserted = new Map<string, Offer>();
  if (accepted.length > 0) {
    const { rows } = await c.query(INSERT_OFFERS, [...scope, JSON.stringify(accepted.map(insertable))]);
    for (const r of rows) inserted.set(String(r.id), toOffer(r as Row));
  }
  return offers.map((offer, i) => {
    const verdict = verdicts[i] ?? null;
    if (verdict !== null) return { offer, reason: verdict };
    const created = inserted.get(offer.id);
    // Accepted but not inserted: a concurrent run gave another user an offer with this id.
    return created ? { offer, created } : { offer, reason: 'duplicate_id' };
  });
}

function insertable(o: NewOffer, ord: number) {
  return {
    ord,
    id: o.id,
    external_id: o.externalId,
    offer_type: o.offerType,
    game_type: o.gameType,
    title: o.title,
    description: o.description,
    points_value: o.pointsValue,
    created_at: o.createdAt,
    expires_at: o.expiresAt,
    metadata: o.metadata,
  };
}
