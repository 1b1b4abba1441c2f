import type pg from 'pg';
import { inTransaction } from '../../store/postgres/migrate.js';
import type { AddedBan, Ban } from '../domain/bans.js';
import type { OfferProgress } from '../domain/progress.js';
import type {
  ClickRecord,
  DuplicateOutcome,
  EventOutcome,
  EventRecord,
  OfferwallStore,
  StoredCatalog,
  TransactionRecord,
} from './offerwall-store.js';

type Row = Record<string, unknown>;

/** One user's progress in one offer, locked for a postback's transaction. */
const LOCK_PROGRESS = `SELECT pg_advisory_xact_lock(hashtextextended('offerwall-progress:' || $1 || E'\\n' || $2 || E'\\n' || $3::text, 0))`;

const iso = (v: unknown): string | null =>
  v instanceof Date ? v.toISOString() : v === null ? null : String(v);

export function toProgress(r: Row): OfferProgress {
  return {
    appId: String(r.app_id),
    uid: String(r.uid),
    offerId: Number(r.offer_id),
    wallId: Number(r.wall_id),
    category: String(r.category),
    offerType: Number(r.offer_type),
    status: r.status as OfferProgress['status'],
    sid3: (r.sid3 as string | null) ?? null,
    clicks: Number(r.clicks),
    firstClickAt: iso(r.first_click_at),
    lastClickAt: iso(r.last_click_at),
    completedEvents: r.completed_events as string[],
    completedAt: iso(r.completed_at),
    updatedAt: iso(r.updated_at) ?? '',
  };
}

export function toBan(r: Row): Ban {
  return {
    id: String(r.id),
    appId: String(r.app_id),
    type: r.type as Ban['type'],
    value: String(r.value),
    wallId: r.wall_id === null ? null : Number(r.wall_id),
    reason: String(r.reason),
    createdAt: iso(r.created_at) ?? '',
  };
}

export function toTransaction(r: Row): TransactionRecord {
  return {
    appId: String(r.app_id),
    transactionId: String(r.transaction_id),
    uid: String(r.uid),
    offerId: Number(r.offer_id),
    eventId: String(r.event_id),
    at: iso(r.at) ?? '',
  };
}

const PROGRESS_COLUMNS = `app_id, uid, offer_id, wall_id, category, offer_type, status, sid3, clicks,
  first_click_at, last_click_at, completed_events, completed_at, updated_at`;

/**
 * The offerwall store on PostgreSQL: the invariants are primary keys, and every
 * check-and-write is one statement (`ON CONFLICT`) or one transaction, so several
 * offerd instances sharing the database keep them too.
 */
export class OfferwallPostgresStore implements OfferwallStore {
  constructor(private readonly pool: pg.Pool) {}

  async getCatalog(appId: string, wallId: number): Promise<StoredCatalog | null> {
    const { rows } = await this.pool.query(
      'SELECT synced_at, offers, retired FROM offerwall_catalogs WHERE app_id = $1 AND wall_id = $2',
      [appId, wallId],
    );
    const r = rows[0] as Row | undefined;
    return r
      ? {
          appId,
          wallId,
          syncedAt: iso(r.synced_at) ?? '',
          offers: r.offers as StoredCatalog['offers'],
          retired: (r.retired ?? []) as NonNullable<StoredCatalog['retired']>,
        }
      : null;
  }

  async saveCatalog(c: StoredCatalog): Promise<void> {
    await this.pool.query(
      `INSERT INTO offerwall_catalogs (app_id, wall_id, synced_at, offers, retired) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (app_id, wall_id) DO UPDATE
         SET synced_at = EXCLUDED.synced_at, offers = EXCLUDED.offers, retired = EXCLUDED.retired`,
      [c.appId, c.wallId, c.syncedAt, JSON.stringify(c.offers), JSON.stringify(c.retired ?? [])],
    );
  }

  async progressOf(appId: string, uid: string): Promise<OfferProgress[]> {
    const { rows } = await this.pool.query({
      name: 'offerwall-progress-of',
      text: `SELECT ${PROGRESS_COLUMNS} FROM offerwall_progress WHERE app_id = $1 AND uid = $2`,
      values: [appId, uid],
    });
    return rows.map(toProgress);
  }

  async recordClick(c: ClickRecord): Promise<OfferProgress> {
    const { rows } = await this.pool.query(
      `INSERT INTO offerwall_progress AS p (${PROGRESS_COLUMNS})
       VALUES ($1, $2, $3, $4, $5, $6, 'in_progress', $7, 1, $8, $8, '[]', NULL, $8)
       ON CONFLICT (app_id, uid, offer_id) DO UPDATE SET
         clicks = p.clicks + 1,
         sid3 = COALESCE(p.sid3, EXCLUDED.sid3),
         first_click_at = COALESCE(p.first_click_at, EXCLUDED.first_click_at),
         last_click_at = EXCLUDED.last_click_at,
         updated_at = EXCLUDED.updated_at
       RETURNING ${PROGRESS_COLUMNS}`,
      [c.appId, c.uid, c.offerId, c.wallId, c.category, c.offerType, c.sid3, c.at],
    );
    return toProgress(rows[0] as Row);
  }

  async recordEvent(e: EventRecord): Promise<EventOutcome> {
    return inTransaction(this.pool, async (client) => {
      // A concurrent insert of the same key waits for the first to commit, then does nothing.
      const claimed = await client.query(
        `INSERT INTO offerwall_transactions (app_id, transaction_id, uid, offer_id, event_id, at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING transaction_id`,
        [e.appId, e.transactionId, e.uid, e.offerId, e.eventId, e.at],
      );
      if (claimed.rowCount !== 1)
        return (await this.duplicate(client, e.appId, e.transactionId)) as DuplicateOutcome;
      // Transactions for one user's offer take turns from here, so of concurrent ones for one
      // event (different ids), one records it and the others see it done: a repeat.
      await client.query(LOCK_PROGRESS, [e.appId, e.uid, e.offerId]);
      const { rows } = await client.query(
        `SELECT ${PROGRESS_COLUMNS} FROM offerwall_progress WHERE app_id = $1 AND uid = $2 AND offer_id = $3`,
        [e.appId, e.uid, e.offerId],
      );
      const progress = rows[0] ? toProgress(rows[0] as Row) : null;
      if (progress?.completedEvents.includes(e.eventId)) return { result: 'repeat', progress };
      return this.applyEvent(client, e);
    });
  }

  private async applyEvent(client: pg.PoolClient, e: EventRecord): Promise<EventOutcome> {
    const { rows } = await client.query(
      `INSERT INTO offerwall_progress AS p (${PROGRESS_COLUMNS})
       VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $8 THEN 'completed' ELSE 'in_progress' END, NULL, 0,
               NULL, NULL, jsonb_build_array($7::text), CASE WHEN $8 THEN $9::timestamptz END, $9)
       ON CONFLICT (app_id, uid, offer_id) DO UPDATE SET
         completed_events = CASE WHEN p.completed_events ? $7::text THEN p.completed_events
                                 ELSE p.completed_events || jsonb_build_array($7::text) END,
         completed_at = CASE WHEN $8 AND p.status <> 'completed' THEN $9::timestamptz ELSE p.completed_at END,
         status = CASE WHEN $8 THEN 'completed' ELSE p.status END,
         updated_at = $9
       RETURNING ${PROGRESS_COLUMNS}`,
      [e.appId, e.uid, e.offerId, e.wallId, e.category, e.offerType, e.eventId, e.final, e.at],
    );
    return { result: 'recorded', progress: toProgress(rows[0] as Row) };
  }

  recordedTransaction(appId: string, transactionId: string): Promise<DuplicateOutcome | null> {
    return this.duplicate(this.pool, appId, transactionId);
  }

  /** What a replay of the transaction answers; null when it was never recorded. */
  private async duplicate(
    client: pg.Pool | pg.PoolClient,
    appId: string,
    transactionId: string,
  ): Promise<DuplicateOutcome | null> {
    const tx = await client.query(
      'SELECT * FROM offerwall_transactions WHERE app_id = $1 AND transaction_id = $2',
      [appId, transactionId],
    );
    if (!tx.rows[0]) return null;
    const first = toTransaction(tx.rows[0] as Row);
    const p = await client.query(
      `SELECT ${PROGRESS_COLUMNS} FROM offerwall_progress WHERE app_id = $1 AND uid = $2 AND offer_id = $3`,
      [first.appId, first.uid, first.offerId],
    );
    return { result: 'duplicate', first, progress: p.rows[0] ? toProgress(p.rows[0] as Row) : null };
  }

  async addBan(b: Ban): Promise<AddedBan> {
    // The unique index of migration 2 decides between concurrent adds (instances included).
    // A conflict is followed by a read in a statement of its own: the insert's snapshot
    // predates a conflicting row committed while it waited. The row may be lifted between
    // the two; then the add is tried again.
    for (let attempt = 0; ; attempt++) {
      const inserted = await this.pool.query(
        `INSERT INTO offerwall_bans (app_id, id, type, value, wall_id, reason, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (app_id, type, value, (COALESCE(wall_id, -1))) DO NOTHING`,
        [b.appId, b.id, b.type, b.value, b.wallId, b.reason, b.createdAt],
      );
      if (inserted.rowCount === 1) return { ban: { ...b }, created: true };
      const { rows } = await this.pool.query(
        `SELECT * FROM offerwall_bans
         WHERE app_id = $1 AND type = $2 AND value = $3 AND COALESCE(wall_id, -1) = COALESCE($4::integer, -1)`,
        [b.appId, b.type, b.value, b.wallId],
      );
      if (rows[0]) return { ban: toBan(rows[0] as Row), created: false };
      if (attempt >= 3)
        throw new Error(`ban ${b.type} ${b.value} of app ${b.appId}: added and lifted concurrently`);
    }
  }

  async listBans(appId: string): Promise<Ban[]> {
    const { rows } = await this.pool.query('SELECT * FROM offerwall_bans WHERE app_id = $1 ORDER BY seq', [
      appId,
    ]);
    return rows.map(toBan);
  }

  async removeBan(appId: string, banId: string): Promise<boolean> {
    const res = await this.pool.query('DELETE FROM offerwall_bans WHERE app_id = $1 AND id = $2', [
      appId,
      banId,
    ]);
    return res.rowCount === 1;
  }

  async bansFor(appId: string, uid: string): Promise<Ban[]> {
    // Named: prepared once per connection, as every hot-path statement (docs/postgresql.md).
    const { rows } = await this.pool.query({
      name: 'offerwall-bans-for',
      text: `SELECT * FROM offerwall_bans WHERE app_id = $1 AND (type = 'ip' OR (type = 'user' AND value = $2))
       ORDER BY seq`,
      values: [appId, uid],
    });
    return rows.map(toBan);
  }
}
