import { randomFillSync } from 'node:crypto';
import { v7 } from 'uuid';

/** Ids per refill of the random pool. */
const IDS_PER_REFILL = 256;

/**
 * A source of time-ordered offer ids (UUIDv7: the millisecond, then random bits) for one
 * generation run. Time order keeps a large run's inserts at the primary key's right edge
 * on PostgreSQL and makes a chunk's ids one narrow key range (journeys-postgres-offers.ts).
 * The random bits come from a pool refilled 256 ids at a time: uuid's own source asks the
 * system for 16 bytes per id, ~8 µs each, 5 % of a run's CPU at 100,000 users.
 */
export function timeOrderedIds(): () => string {
  const pool = new Uint8Array(16 * IDS_PER_REFILL);
  let next = pool.length;
  return () => {
    if (next === pool.length) {
      randomFillSync(pool);
      next = 0;
    }
    const random = pool.subarray(next, next + 16);
    next += 16;
    return v7({ random });
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * An offer id as a client sent it, as stored: a UUID in lower case (UUIDs are
 * case-insensitive, RFC 9562, and some clients upper-case them; ours are written lower);
 * any other id (a fixture's) as it is.
 */
export function storedOfferId(sent: string): string {
  return UUID.test(sent) ? sent.toLowerCase() : sent;
}
