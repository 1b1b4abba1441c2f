import type { Pool } from 'pg';
import { inTransaction } from '../../store/postgres/migrate.js';
import { StoreBusyError } from '../../store/store-unavailable.js';
import { WritesUnderWay } from '../../store/writes-under-way.js';
import { applyOperations, type ProfileProperties } from '../domain/profile-ops.js';
import { LOCK_ALIAS_ID } from './banner-postgres-id-lock.js';
import type { ExperimentKey } from './banner-store.js';
import { ADOPT_TAKEN, adoptAlias, LINK_ALIAS, TAKEN } from './profile-postgres-link.js';
import {
  type GrantLimits,
  type GrantMade,
  INSERT_ID_WINDOW_MS,
  type ProfileKind,
  type ProfileStore,
  type ProfileUpdate,
} from './profile-store.js';

/** The row is created first so that FOR UPDATE has a row to lock even for a new profile. */
const ENSURE_PROFILE = `
  INSERT INTO banner_profiles (app_id, kind, id, properties, created_at)
  VALUES ($1, $2, $3, '{}'::jsonb, coalesce($4::timestamptz, now()))
  ON CONFLICT DO NOTHING`;

/**
 * One round trip: the grant for the user $2 stands for, under its id lock (see
 * banner-postgres-id-lock.ts), inserted, or counted again only when cap and cooldown allow; a
 * row last granted for the same non-null predict_id ($7) is a retry of that call, replayed as
 * it is (the row lock ON CONFLICT takes orders concurrent copies of one call).
 */
const GRANT = 'SELECT banner_grant_made($1, $2, $3, $4, $5, $6, $7) AS made';

/** The primary key's (app_id, user_id, offer_id) prefix finds them. */
const GRANTS_FOR = `
  SELECT offer_id, last_at FROM banner_offer_grants
  WHERE app_id = $1 AND user_id = $2 AND offer_id = ANY($3::text[]) AND predict_id = $4
  ORDER BY last_at DESC, offer_id`;

const LINKED_TO = `
  SELECT EXISTS (SELECT 1 FROM banner_aliases WHERE app_id = $1 AND distinct_id = $2) AS linked`;

const GRANTED = `
  SELECT EXISTS (
    SELECT 1 FROM banner_offer_grants WHERE app_id = $1 AND user_id = $2 AND offer_id = ANY($3::text[])
  ) AS granted`;

/** How long a call waits for another call's pending claim of one of its insert ids before a 503. */
const CLAIM_WAIT_MS = 5_000;
const CLAIM_POLL_MS = 100;
/**
 * A claim pending this long was abandoned (its instance died, or lost the database, before
 * its events were stored): a retry takes it over. Well above a /track's events write,
 * which statement_timeout (5 s by default) bounds.
 */
const PENDING_STALE_MS = 30_000;

// One lock per app's aliases, held by a link's transaction: the link statement then reads
// every link committed before it (READ COMMITTED), so two instances linking A→B and B→A
// at once take turns and the second sees the first. Links are rare (a login), so one
// lock per app costs nothing a request would notice. Profile updates hold it shared while
// they resolve their id and write: a link waits for those under way (its check sees their
// data) and those after it resolve through it. Without that, an alias racing an /engage of
// its id was linked over the data just stored (14 of 20 runs, a hostile-client probe).
const LOCK_APP_ALIASES = `SELECT pg_advisory_xact_lock(hashtextextended('banner-aliases:' || $1, 0))`;
const SHARE_APP_ALIASES = `SELECT pg_advisory_xact_lock_shared(hashtextextended('banner-aliases:' || $1, 0))`;

const RESOLVE = `SELECT coalesce((SELECT distinct_id FROM banner_aliases WHERE app_id = $1 AND alias = $2), $2) AS id`;

/** ProfileStore on PostgreSQL: row locks for read-apply-write, constraints for insert-if-absent. */
export class ProfilePostgresStore implements ProfileStore {
  /** Insert ids of this instance's calls whose claim or events are under way. */
  readonly #claiming = new WritesUnderWay<string>();

  constructor(private readonly pool: Pool) {}

  async profile(appId: string, kind: ProfileKind, id: string): Promise<ProfileProperties | null> {
    const { rows } = await this.pool.query(
      'SELECT properties FROM banner_profiles WHERE app_id = $1 AND kind = $2 AND id = $3',
      [appId, kind, id],
    );
    const props = rows[0]?.properties as ProfileProperties | undefined;
    // An update that fails on a new profile leaves the empty row ENSURE_PROFILE made.
    return props && Object.keys(props).length > 0 ? props : null;
  }

  async update(appId: string, updates: readonly ProfileUpdate[]): Promise<(string | null)[]> {
    const results: (string | null)[] = [];
    for (const u of updates) results.push(await this.updateOne(appId, u));
    return results;
  }

  private updateOne(appId: string, update: ProfileUpdate): Promise<string | null> {
    return inTransaction(this.pool, async (client) => {
      let u = update;
      if (u.kind === 'user') {
        await client.query(SHARE_APP_ALIASES, [appId]);
        // Resolved again under the lock: a link committed since the caller resolved it counts.
        const { rows } = await client.query(RESOLVE, [appId, u.id]);
        u = { ...u, id: rows[0]?.id as string };
      }
      await client.query(ENSURE_PROFILE, [appId, u.kind, u.id, u.at ?? null]);
      const { rows } = await client.query(
        'SELECT properties FROM banner_profiles WHERE app_id = $1 AND kind = $2 AND id = $3 FOR UPDATE',
        [appId, u.kind, u.id],
      );
      const current = rows[0]?.properties as ProfileProperties;
      // The claim of its retry key in the update's transaction: marked stored after it, a
      // kill in between left it pending, and a retry after PENDING_STALE_MS applied it again.
      if (u.retryKey) {
        await client.query(
          'UPDATE banner_insert_ids SET stored = true WHERE app_id = $1 AND insert_id = $2 AND NOT stored',
          [appId, u.retryKey],
        );
      }
      let next: ProfileProperties | null;
      try {
        next = applyOperations(Object.keys(current).length > 0 ? current : null, u.operations);
      } catch (err) {
        return (err as Error).message;
      }
      if (next === null) {
        // Emptied, not removed: the row keeps when the id was first seen, so a $delete cannot
        // make an old player look new to a link (TAKEN, ADOPT_TAKEN: a hostile probe deleted
        // a profile-only player's profile, then linked the id to its own).
        await client.query(
          `UPDATE banner_profiles SET properties = '{}'::jsonb WHERE app_id = $1 AND kind = $2 AND id = $3`,
          [appId, u.kind, u.id],
        );
      } else {
        await client.query(
          'UPDATE banner_profiles SET properties = $4 WHERE app_id = $1 AND kind = $2 AND id = $3',
          [appId, u.kind, u.id, JSON.stringify(next)],
        );
      }
      return null;
    });
  }

  async alias(
    appId: string,
    alias: string,
    distinctId: string,
    mustBeNew = false,
    offerIds: readonly string[] = [],
    adoptSince: Date | null = null,
    drop: readonly ExperimentKey[] = [],
  ): Promise<string | null> {
    const refused = await inTransaction(this.pool, async (c) => {
      await c.query(LOCK_APP_ALIASES, [appId]);
      await c.query(LOCK_ALIAS_ID, [appId, alias]);
      if (mustBeNew) {
        const taken = adoptSince
          ? await c.query(ADOPT_TAKEN, [appId, alias, distinctId, offerIds, adoptSince])
          : await c.query(TAKEN, [appId, alias, distinctId, offerIds]);
        if (taken.rows[0]?.taken === true) return true;
      }
      if (adoptSince) {
        const user = (await c.query(RESOLVE, [appId, distinctId])).rows[0]?.id as string;
        const linked = (await c.query(RESOLVE, [appId, alias])).rows[0]?.id !== alias;
        // Nothing to merge when the alias is linked already or is that user (LINK_ALIAS links nothing).
        if (!linked && user !== alias) return !(await adoptAlias(c, appId, alias, user, drop));
      }
      await c.query(LINK_ALIAS, [appId, alias, distinctId]);
      return false;
    });
    return refused ? null : this.resolve(appId, alias);
  }

  async resolve(appId: string, id: string): Promise<string> {
    const { rows } = await this.pool.query(
      'SELECT distinct_id FROM banner_aliases WHERE app_id = $1 AND alias = $2',
      [appId, id],
    );
    return (rows[0]?.distinct_id as string | undefined) ?? id;
  }

  /**
   * Claims are rows marked not yet `stored` until `store` has run: a claim of another call
   * (of any instance) still pending is waited for, up to CLAIM_WAIT_MS, then the call
   * fails with 503 (retry later); one pending for PENDING_STALE_MS was left by an instance
   * that died before its events were stored, and is taken over. So a retry is answered as
   * a duplicate only of events that are stored. Calls of this instance wait for each
   * other's claims in memory, without polling.
   */
  async claimInsertIds(
    appId: string,
    ids: readonly string[],
    at: Date,
    store: (claimed: ReadonlySet<string>) => Promise<void> = async () => {},
  ): Promise<Set<string>> {
    const keys = ids.map((id) => `${appId}\n${id}`);
    for (let busy = this.#claiming.underWay(keys); busy; busy = this.#claiming.underWay(keys)) await busy;
    const claimed = new Set<string>();
    // Registered before the claim's first await, so the wait above always sees it.
    const done = this.#claimAndStore(appId, ids, at, claimed, store);
    for (const k of keys) this.#claiming.track(k, done);
    await done;
    return claimed;
  }

  async #claimAndStore(
    appId: string,
    ids: readonly string[],
    at: Date,
    claimed: Set<string>,
    store: (claimed: ReadonlySet<string>) => Promise<void>,
  ): Promise<void> {
    let stored = false;
    try {
      const deadline = Date.now() + CLAIM_WAIT_MS;
      let wanted = ids;
      for (;;) {
        const round = await this.#claim(appId, wanted, at);
        for (const id of round.claimed) claimed.add(id);
        if (round.pending.length === 0) break;
        if (Date.now() >= deadline)
          throw new StoreBusyError(
            `events of this batch are being stored by another attempt (one left by an instance that stopped is taken over after ${PENDING_STALE_MS / 1000} s)`,
          );
        await new Promise((resolve) => setTimeout(resolve, CLAIM_POLL_MS));
        wanted = round.pending;
      }
      await store(claimed);
      stored = true;
      // The stores mark their claims in their own transactions: this finds nothing left to
      // mark unless a store did not, and its failure is not the call's (the writes are kept).
      if (claimed.size > 0) {
        await this.pool.query(
          'UPDATE banner_insert_ids SET stored = true WHERE app_id = $1 AND insert_id = ANY($2) AND NOT stored',
          [appId, [...claimed]],
        );
      }
    } catch (err) {
      if (claimed.size > 0) await this.#release(appId, [...claimed]).catch(() => undefined);
      if (!stored) throw err;
    }
  }

  /** One round: the ids this call claimed (pending), and those pending for another call. */
  async #claim(
    appId: string,
    ids: readonly string[],
    at: Date,
  ): Promise<{ claimed: string[]; pending: string[] }> {
    if (ids.length === 0) return { claimed: [], pending: [] };
    // Sorted: concurrent calls lock their rows in one order, so they cannot deadlock.
    const sorted = [...ids].sort();
    const claimed = await inTransaction(this.pool, async (client) => {
      // An id older than the window counts as new again, and so does a pending claim
      // abandoned by its instance: their rows are dropped first.
      await client.query(
        `DELETE FROM banner_insert_ids WHERE app_id = $1 AND insert_id = ANY($2)
           AND (seen_at < $3 OR (NOT stored AND seen_at < $4))`,
        [
          appId,
          sorted,
          new Date(at.getTime() - INSERT_ID_WINDOW_MS),
          new Date(at.getTime() - PENDING_STALE_MS),
        ],
      );
      const { rows } = await client.query(
        `INSERT INTO banner_insert_ids (app_id, insert_id, seen_at, stored)
         SELECT $1, unnest($2::text[]), $3, false ON CONFLICT DO NOTHING RETURNING insert_id`,
        [appId, sorted, at],
      );
      return rows.map((r) => r.insert_id as string);
    });
    if (claimed.length === ids.length) return { claimed, pending: [] };
    const taken = new Set(claimed);
    // A statement of its own, after the insert: it sees the claims committed meanwhile.
    const { rows } = await this.pool.query(
      'SELECT insert_id FROM banner_insert_ids WHERE app_id = $1 AND insert_id = ANY($2) AND NOT stored',
      [appId, sorted.filter((id) => !taken.has(id))],
    );
    return { claimed, pending: rows.map((r) => r.insert_id as string) };
  }

  async pruneInsertIds(before: Date, limit: number): Promise<number> {
    // Bounded per statement (index banner_insert_ids_seen_at), so one prune never holds many row locks.
    const { rowCount } = await this.pool.query(
      `DELETE FROM banner_insert_ids WHERE (app_id, insert_id) IN (
         SELECT app_id, insert_id FROM banner_insert_ids WHERE seen_at < $1 LIMIT $2)`,
      [before, limit],
    );
    return rowCount ?? 0;
  }

  /**
   * Deletes the claims of a call whose events could not be stored, so a retry stores them:
   * only those still not stored. A store that failed after its commit (the COMMIT's answer
   * lost or late: the database had the events) marked its claims in that transaction, and
   * deleting them made the SDK's retry of the 503 store the events again (PostgreSQL probe).
   * A claim whose transaction is still committing is waited for by its row lock.
   */
  async #release(appId: string, ids: readonly string[]): Promise<void> {
    await this.pool.query(
      'DELETE FROM banner_insert_ids WHERE app_id = $1 AND insert_id = ANY($2) AND NOT stored',
      [appId, ids],
    );
  }

  async grant(
    appId: string,
    userId: string,
    offerId: string,
    at: Date,
    limits: GrantLimits,
    predictId: string | null,
  ): Promise<Date | null> {
    const { rows } = await this.pool.query(GRANT, [
      appId,
      userId,
      offerId,
      at,
      limits.maxPerUser,
      limits.cooldownMs,
      predictId,
    ]);
    return (rows[0]?.made as Date | null | undefined) ?? null;
  }

  async linkedTo(appId: string, id: string): Promise<boolean> {
    const { rows } = await this.pool.query(LINKED_TO, [appId, id]);
    return rows[0]?.linked === true;
  }

  async granted(appId: string, userId: string, offerIds: readonly string[]): Promise<boolean> {
    if (offerIds.length === 0) return false;
    const { rows } = await this.pool.query(GRANTED, [appId, userId, offerIds]);
    return rows[0]?.granted === true;
  }

  async grantsFor(
    appId: string,
    userId: string,
    offerIds: readonly string[],
    predictId: string,
  ): Promise<GrantMade[]> {
    if (offerIds.length === 0) return [];
    const { rows } = await this.pool.query(GRANTS_FOR, [appId, userId, offerIds, predictId]);
    return rows.map((r) => ({ offerId: String(r.offer_id), at: r.last_at as Date }));
  }
}
