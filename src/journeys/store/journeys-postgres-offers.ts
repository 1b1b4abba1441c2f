import type pg from 'pg';
import { CLIENT_TIMEOUT_MARGIN_MS } from '../../store/postgres/counted-pool.js';
import type { NewOffer, Offer, OfferLimits, Partition } from '../domain/journey-types.js';
import { limitRejection } from '../domain/offer-limits.js';
import { insertOffers } from './journeys-postgres-offer-insert.js';
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

/**
 * How long a chunk may wait for the partition lock: its turn comes when another run's chunk
 * commits (reads, checks and an insert of up to 5,000 offers), which on a busy host takes
 * longer than one statement may. Waited under the pool's statement timeout (5 s), 3 of 4
 * overlapping runs were cancelled and answered 503 (operator probe). The timeout is raised
 * for the lock alone, then set back for the chunk's other statements.
 */
export const LOCK_WAIT_MS = 120_000;

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

/** The chunk's three reads, exported for the test that holds their plans to index ranges. */
export const CHUNK_READS = { knownUsers: KNOWN_USERS, countedOffers: COUNTED_OFFERS, takenIds: TAKEN_IDS };

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

/**
 * The earliest cooldown start in the chunk: older offers cannot matter to any of its checks.
 * A loop, each distinct instant parsed once: a chunk's 5,000 offers share a few.
 */
function earliestSince(offers: readonly NewOffer[]): string {
  let earliest = Number.POSITIVE_INFINITY;
  let last: string | null = null;
  for (const o of offers) {
    const since = o.notOfferedSince;
    if (since === null || since === last) continue;
    last = since;
    earliest = Math.min(earliest, Date.parse(since));
  }
  return earliest === Number.POSITIVE_INFINITY ? 'infinity' : new Date(earliest).toISOString();
}

/**
 * One chunk of createOffers in the caller's transaction, in five statements whatever
 * its size (and two setting the lock's wait): lock the partition, read which users exist, read what their limits count, check each offer in
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
  await c.query(`SET LOCAL statement_timeout = ${LOCK_WAIT_MS}`);
  // node-postgres reads a per-query query_timeout (its types do not list it).
  const lock: pg.QueryConfig & { query_timeout: number } = {
    text: LOCK_PARTITION,
    values: scope,
    query_timeout: LOCK_WAIT_MS + CLIENT_TIMEOUT_MARGIN_MS,
  };
  await c.query(lock);
  await c.query('SET LOCAL statement_timeout TO DEFAULT');
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
  const inserted = accepted.length > 0 ? await insertOffers(c, scope, accepted) : 'all';
  return offers.map((offer, i) => {
    const verdict = verdicts[i] ?? null;
    if (verdict !== null) return { offer, reason: verdict };
    // Accepted but not inserted: a concurrent run gave another user an offer with this id.
    return inserted === 'all' || inserted.has(offer.id)
      ? { offer, created: asStored(offer) }
      : { offer, reason: 'duplicate_id' };
  });
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

/** Offers marked expired per statement by expireDue: well inside any statement timeout. */
const EXPIRE_BATCH = 5000;

// The due offers read through journeys_offers_active (app, environment, expires_at WHERE
// active), in its order, so a batch reads its rows and no more, and updated by their row
// address (a TID scan: the rows are locked, so their addresses hold). Joined on the key
// instead, a freshly filled table's estimates picked another index and a filter: 1.6 s
// for 5,000 rows. Counted by type in SQL.
const EXPIRE_DUE_BATCH = `
  WITH due AS (
    SELECT ctid FROM journeys_offers
    WHERE app_id = $1 AND environment = $2 AND status = 'active' AND expires_at <= $3
    ORDER BY expires_at LIMIT $4 FOR UPDATE SKIP LOCKED),
  marked AS (
    UPDATE journeys_offers SET status = 'expired'
    WHERE ctid = ANY (ARRAY(SELECT ctid FROM due))
    RETURNING offer_type)
  SELECT offer_type, count(*) AS n FROM marked GROUP BY offer_type`;

/**
 * In statements of EXPIRE_BATCH offers, each its own commit, until one marks fewer. One
 * statement for all of them ran past the statement timeout once ~150,000 offers were due
 * together (a run's offers share their expiry), was rolled back, and so failed every
 * later run too (operator probe: 183,000 due, 4.1 s in psql, then 503 on every run).
 * Two instances' runs at once expire disjoint sets (SKIP LOCKED), each offer once.
 */
export async function expireDueOffers(
  pool: pg.Pool,
  p: Partition,
  now: Date,
): Promise<Record<string, number>> {
  const byType: Record<string, number> = {};
  for (;;) {
    const { rows } = await pool.query({
      name: 'journeys-expire-due',
      text: EXPIRE_DUE_BATCH,
      values: [p.appId, p.environment, now, EXPIRE_BATCH],
    });
    let marked = 0;
    for (const r of rows as Row[]) {
      const n = Number(r.n);
      byType[String(r.offer_type)] = (byType[String(r.offer_type)] ?? 0) + n;
      marked += n;
    }
    if (marked < EXPIRE_BATCH) return byType;
  }
}
