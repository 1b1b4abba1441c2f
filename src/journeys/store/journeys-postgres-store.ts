import type pg from 'pg';
import { inTransaction } from '../../store/postgres/migrate.js';
import type {
  JourneyEvent,
  JourneyUser,
  NewEvent,
  NewOffer,
  Offer,
  OfferLimits,
  Partition,
  UserPatch,
} from '../domain/journey-types.js';
import {
  type EventTotals,
  noEventTotals,
  type WindowStarts,
  windowStarts,
} from '../domain/profile-aggregates.js';
import { checkUserBounds } from '../domain/user-bounds.js';
import { HeldEventTotals } from './held-event-totals.js';
import { appendEventBatch } from './journeys-postgres-events.js';
import { createOfferChunk, expireDueOffers } from './journeys-postgres-offers.js';
import {
  EVENT_COLUMNS,
  OFFER_COLUMNS,
  type Row,
  toEvent,
  toOffer,
  toUser,
  USER_COLUMNS,
} from './journeys-postgres-rows.js';
import { ISO_TIMESTAMPS } from './journeys-postgres-timestamps.js';
import {
  RANGE_EVENT_TOTALS,
  summedAt,
  toEventTotals,
  USER_EVENT_TOTALS,
  windowParams,
} from './journeys-postgres-totals.js';
import type { ClaimResult, JourneysStore, OfferRejection, UserActivity } from './journeys-store.js';

type Db = pg.Pool | pg.PoolClient;

const SCALARS = [
  ['displayName', 'display_name'],
  ['email', 'email'],
  ['phone', 'phone'],
  ['country', 'country'],
  ['device', 'device'],
  ['source', 'source'],
] as const;

/** A tags/metadata patch as SQL arguments: what to merge in, and which keys to remove (null values). */
function mergeArgs(patch: Record<string, unknown> | undefined): [string, string[]] {
  const entries = Object.entries(patch ?? {});
  const set = Object.fromEntries(entries.filter(([, v]) => v !== null));
  return [JSON.stringify(set), entries.filter(([, v]) => v === null).map(([k]) => k)];
}

/** Offers per transaction in createOffers: bounds how long the partition lock is held (one generation write). */
const OFFER_CHUNK = 5000;

/**
 * The journeys store on PostgreSQL. Uniqueness is constraints (`ON CONFLICT`); a claim
 * is a conditional UPDATE; the offer limits are checked under one advisory lock per
 * partition (see journeys-postgres-offers.ts), so concurrent runs — in one process or
 * several — take turns per chunk. Statements touching several rows lock them in key order, so two
 * instances never deadlock on each other.
 */
export class JourneysPostgresStore implements JourneysStore {
  /**
   * One chunk per call: the job inserts a batch while it evaluates the next users (two
   * processes busy) and holds no more than a batch of planned offers at a million users.
   */
  readonly offersPerCreate = OFFER_CHUNK;

  /** Heavy users' event totals, this instance's own (see eventTotals). */
  private readonly heldTotals = new HeldEventTotals();

  constructor(private readonly pool: pg.Pool) {}

  private tx<T>(work: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, work);
  }

  /**
   * One statement merges the patch (INSERT … ON CONFLICT DO UPDATE). A patch with tags or
   * metadata runs it in a transaction that first reads the stored user FOR UPDATE (a user
   * stored past a bound by an earlier version may change without growing), then checks
   * what the statement merged (checkUserBounds) and rolls back a refused one. Concurrent
   * upserts of a user take turns on the row lock, each checking the merge of those before
   * it, so none can join another past a bound; a user another call creates in between is
   * checked as new, strictly. Three more round trips than a patch without them.
   */
  async upsertUser(p: Partition, patch: UserPatch, now: Date, newId: () => string) {
    if (patch.tags === undefined && patch.metadata === undefined)
      return this.mergeUser(this.pool, p, patch, now, newId);
    return this.tx(async (c) => {
      const { rows } = await c.query(
        `SELECT tags, metadata FROM journeys_users WHERE app_id = $1 AND environment = $2 AND external_id = $3
         FOR UPDATE`,
        [p.appId, p.environment, patch.externalId],
      );
      const stored = rows[0] as
        | { tags: Record<string, unknown>; metadata: Record<string, unknown> }
        | undefined;
      const result = await this.mergeUser(c, p, patch, now, newId);
      checkUserBounds(stored ?? null, patch, result.user);
      return result;
    });
  }

  private async mergeUser(db: Db, p: Partition, patch: UserPatch, now: Date, newId: () => string) {
    const given = SCALARS.filter(([k]) => patch[k] !== undefined).map(([k]) => k);
    const [tags, tagsRemoved] = mergeArgs(patch.tags);
    const [metadata, metadataRemoved] = mergeArgs(patch.metadata);
    const updates = SCALARS.map(
      ([k, col]) => `${col} = CASE WHEN '${k}' = ANY($14::text[]) THEN EXCLUDED.${col} ELSE u.${col} END`,
    ).join(',\n');
    const { rows } = await db.query(
      `INSERT INTO journeys_users AS u (app_id, environment, external_id, id, display_name, email, phone,
         country, device, source, tags, metadata, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12::jsonb, $13, $13)
       ON CONFLICT (app_id, environment, external_id) DO UPDATE SET ${updates},
         tags = (u.tags || $11::jsonb) - $15::text[],
         metadata = (u.metadata || $12::jsonb) - $16::text[],
         updated_at = $13
       RETURNING ${USER_COLUMNS}, (xmax = 0) AS created`,
      [
        p.appId,
        p.environment,
        patch.externalId,
        newId(),
        ...SCALARS.map(([k]) => patch[k] ?? null),
        tags,
        metadata,
        now,
        given,
        tagsRemoved,
        metadataRemoved,
      ],
    );
    const row = rows[0] as Row;
    return { user: toUser(row), created: row.created === true };
  }

  async getUser(p: Partition, externalId: string): Promise<JourneyUser | null> {
    const { rows } = await this.pool.query({
      name: 'journeys-get-user',
      text: `SELECT ${USER_COLUMNS} FROM journeys_users WHERE app_id = $1 AND environment = $2 AND external_id = $3`,
      values: [p.appId, p.environment, externalId],
    });
    return rows[0] ? toUser(rows[0] as Row) : null;
  }

  async appendEvents(p: Partition, events: readonly NewEvent[], now: Date, newUserId: () => string) {
    return this.tx((c) => appendEventBatch(c, p, events, now, newUserId));
  }

  async userEvents(p: Partition, externalId: string): Promise<JourneyEvent[]> {
    const { rows } = await this.pool.query(
      `SELECT ${EVENT_COLUMNS} FROM journeys_events WHERE app_id = $1 AND environment = $2 AND external_id = $3
       ORDER BY occurred_at, seq`,
      [p.appId, p.environment, externalId],
    );
    return rows.map(toEvent);
  }

  /** Summed by the database, or as held for a heavy user while still true (HeldEventTotals). */
  async eventTotals(p: Partition, externalId: string, now: Date): Promise<EventTotals> {
    const held = this.heldTotals.at(p, externalId, now.getTime());
    const { rows } = await this.pool.query({
      name: 'journeys-event-totals',
      text: USER_EVENT_TOTALS,
      values: [p.appId, p.environment, externalId, ...windowParams(windowStarts(now)), held?.version ?? null],
    });
    const row = rows[0] as Row | undefined;
    if (!row) return noEventTotals();
    if (held && row.summed !== true) return held.totals;
    const totals = toEventTotals(row);
    this.heldTotals.keep(p, externalId, summedAt(row, now.getTime()), totals);
    return totals;
  }

  async timeline(p: Partition, externalId: string, page: { offset: number; limit: number }) {
    const where = 'WHERE app_id = $1 AND environment = $2 AND external_id = $3';
    const args = [p.appId, p.environment, externalId];
    const [list, count] = await Promise.all([
      this.pool.query(
        `SELECT ${EVENT_COLUMNS} FROM journeys_events ${where} ORDER BY occurred_at DESC, seq DESC
         LIMIT $4 OFFSET $5`,
        [...args, page.limit, page.offset],
      ),
      this.pool.query(`SELECT count(*)::int AS n FROM journeys_events ${where}`, args),
    ]);
    return { events: list.rows.map(toEvent), total: Number((count.rows[0] as Row).n) };
  }

  async userOffers(p: Partition, externalId: string, db: Db = this.pool): Promise<Offer[]> {
    const { rows } = await db.query({
      name: 'journeys-user-offers',
      text: `SELECT ${OFFER_COLUMNS} FROM journeys_offers WHERE app_id = $1 AND environment = $2 AND external_id = $3
       ORDER BY created_at, seq`,
      values: [p.appId, p.environment, externalId],
    });
    return rows.map(toOffer);
  }

  async claimOffer(
    p: Partition,
    externalId: string,
    offerId: string,
    now: Date,
    claimEvent: (offer: Offer) => NewEvent,
  ): Promise<ClaimResult> {
    return this.tx(async (c) => {
      // A concurrent claim waits on the row lock, then finds the status changed and updates nothing.
      const { rows } = await c.query(
        `UPDATE journeys_offers SET status = 'claimed', claimed_at = $5
         WHERE app_id = $1 AND environment = $2 AND id = $3 AND external_id = $4
           AND status = 'active' AND expires_at > $5
         RETURNING ${OFFER_COLUMNS}`,
        [p.appId, p.environment, offerId, externalId, now],
      );
      if (!rows[0]) return this.whyNotClaimed(c, p, externalId, offerId);
      const offer = toOffer(rows[0] as Row);
      const [appended] = await appendEventBatch(c, p, [claimEvent(offer)], now, () => '');
      if (!appended) throw new Error('the claim event was not stored');
      return { ok: true as const, offer, event: appended.event };
    });
  }

  private async whyNotClaimed(
    c: Db,
    p: Partition,
    externalId: string,
    offerId: string,
  ): Promise<ClaimResult> {
    const { rows } = await c.query(
      'SELECT status FROM journeys_offers WHERE app_id = $1 AND environment = $2 AND id = $3 AND external_id = $4',
      [p.appId, p.environment, offerId, externalId],
    );
    const status = (rows[0] as Row | undefined)?.status;
    if (status === undefined) return { ok: false, reason: 'not_found' };
    return { ok: false, reason: status === 'claimed' ? 'not_active' : 'expired' };
  }

  /** See expireDueOffers. */
  expireDue(p: Partition, now: Date): Promise<Record<string, number>> {
    return expireDueOffers(this.pool, p, now);
  }

  /**
   * Reads one batch ahead: the next batch's three queries run on the database while the
   * caller evaluates this one, so on two cores the job's rule evaluation and its reads
   * overlap instead of taking turns.
   */
  async *scanUsers(p: Partition, batchSize: number, now: Date): AsyncIterable<UserActivity[]> {
    const windows = windowStarts(now);
    const batchAfter = (after: string) => this.batchAfter(p, after, batchSize, windows);
    let next = batchAfter('');
    for (;;) {
      const batch = await next;
      const last = batch[batch.length - 1];
      if (!last) return;
      next = batchAfter(last.user.externalId);
      // A caller that stops early never awaits the read ahead: its failure is not theirs.
      next.catch(() => undefined);
      yield batch;
    }
  }

  private async batchAfter(
    p: Partition,
    after: string,
    batchSize: number,
    windows: WindowStarts,
  ): Promise<UserActivity[]> {
    const { rows } = await this.pool.query({
      text: `SELECT ${USER_COLUMNS} FROM journeys_users WHERE app_id = $1 AND environment = $2 AND external_id > $3
       ORDER BY external_id LIMIT $4`,
      values: [p.appId, p.environment, after, batchSize],
      types: ISO_TIMESTAMPS,
    });
    return rows.length === 0 ? [] : this.activityOf(p, after, rows.map(toUser), windows);
  }

  /**
   * The batch's event totals and offers by key range, (after, last user], not by a list
   * of ids: one index range scan each instead of a probe per user. The batch holds every
   * user of that range, so the range holds exactly the batch's events and offers. Totals,
   * not events: one row per user whatever their history (reading every event made node's
   * row parsing a large part of a run, and one user with a huge history a memory risk).
   */
  private async activityOf(
    p: Partition,
    after: string,
    users: JourneyUser[],
    windows: WindowStarts,
  ): Promise<UserActivity[]> {
    const last = users[users.length - 1]?.externalId ?? after;
    const scope = 'WHERE app_id = $1 AND environment = $2 AND external_id > $3 AND external_id <= $4';
    const args = [p.appId, p.environment, after, last];
    const [totals, offers] = await Promise.all([
      this.pool.query({
        text: RANGE_EVENT_TOTALS,
        values: [...args, ...windowParams(windows)],
      }),
      // Timestamps read as ISO text (journeys-postgres-timestamps.ts): a million users' offers.
      this.pool.query({
        text: `SELECT ${OFFER_COLUMNS} FROM journeys_offers ${scope} ORDER BY created_at, seq`,
        values: args,
        types: ISO_TIMESTAMPS,
      }),
    ]);
    const totalsOf = new Map(totals.rows.map((r: Row) => [String(r.external_id), toEventTotals(r)]));
    const offersOf = new Map<string, Offer[]>();
    // Pushed, not spread: a million users' offers are grouped here on every run.
    for (const o of offers.rows.map(toOffer)) {
      const mine = offersOf.get(o.externalId);
      if (mine) mine.push(o);
      else offersOf.set(o.externalId, [o]);
    }
    return users.map((user) => ({
      user,
      totals: totalsOf.get(user.externalId) ?? noEventTotals(),
      offers: offersOf.get(user.externalId) ?? [],
    }));
  }

  async createOffers(p: Partition, offers: readonly NewOffer[], limits: OfferLimits, now: Date) {
    const created: Offer[] = [];
    const rejected: { offer: NewOffer; reason: OfferRejection }[] = [];
    for (let i = 0; i < offers.length; i += OFFER_CHUNK) {
      const chunk = offers.slice(i, i + OFFER_CHUNK);
      for (const outcome of await this.tx((c) => createOfferChunk(c, p, chunk, limits, now))) {
        if ('created' in outcome) created.push(outcome.created);
        else rejected.push({ offer: outcome.offer, reason: outcome.reason });
      }
    }
    return { created, rejected };
  }
}
