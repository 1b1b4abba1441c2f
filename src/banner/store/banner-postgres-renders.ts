import type { Pool, PoolClient } from 'pg';
import { abandon } from '../../store/postgres/migrate.js';
import { visibleIn } from '../../store/postgres/snapshot-visibility.js';
import type { UserActivity } from '../domain/user-activity.js';
import type { Exposure } from './banner-store.js';

/** One user's renders not yet written: how many, and the earliest and latest. */
export interface PendingVisit {
  renders: number;
  firstMs: number;
  lastMs: number;
}

// Ids are validated (no newline), so joined keys cannot collide.
const userKey = (appId: string, userId: string): string => `${appId}\n${userId}`;
const exposureKey = (appId: string, e: Exposure): string =>
  `${appId}\n${e.experimentId}\n${e.bucketVersion}\n${e.variationId}`;

// One statement for the whole tally, users in key order (the order trackBatch locks them
// in, so a flush and a tracked batch of another instance wait, never deadlock). Counts add
// to what is there, so flushes of several instances sum exactly.
const FLUSH = `
  WITH visits AS (
    INSERT INTO banner_users AS u (app_id, user_id, first_seen_at, last_seen_at, renders)
    SELECT t.app_id, t.user_id, t.first_at, t.last_at, t.renders
    FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::int[])
      AS t(app_id, user_id, first_at, last_at, renders)
    ORDER BY t.app_id, t.user_id
    ON CONFLICT (app_id, user_id) DO UPDATE SET
      first_seen_at = LEAST(u.first_seen_at, EXCLUDED.first_seen_at),
      last_seen_at = GREATEST(u.last_seen_at, EXCLUDED.last_seen_at),
      renders = u.renders + EXCLUDED.renders
    RETURNING 1
  ), exposures AS (
    INSERT INTO banner_exposures AS x (app_id, experiment_id, bucket_version, variation_id, exposures)
    SELECT * FROM unnest($6::text[], $7::text[], $8::int[], $9::int[], $10::bigint[])
      AS t(app_id, experiment_id, bucket_version, variation_id, n)
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (app_id, experiment_id, bucket_version, variation_id)
    DO UPDATE SET exposures = x.exposures + EXCLUDED.exposures
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM visits) AS users, (SELECT count(*) FROM exposures) AS counters`;

interface ExposureCount {
  appId: string;
  exposure: Exposure;
  n: number;
}

/** The counts of one interval: open while renders add to them, then written in one transaction. */
class Batch {
  readonly visits = new Map<string, PendingVisit>();
  readonly exposures = new Map<string, ExposureCount>();
  /** The writing transaction's id, known before its statement runs; null until then. */
  xid: bigint | null = null;
  /** Its write failed and its counts were moved to the open batch, which reads also add. */
  failed = false;
  /** Committed, or failed: a read that begins now needs nothing of it. */
  settled = false;
  next: Batch | null = null;
}

/** `v` added to `sum`: renders summed, the earliest first and the latest last render. */
function merged(sum: PendingVisit | undefined, v: PendingVisit): PendingVisit {
  if (!sum) return { ...v };
  return {
    renders: sum.renders + v.renders,
    firstMs: Math.min(sum.firstMs, v.firstMs),
    lastMs: Math.max(sum.lastMs, v.lastMs),
  };
}

function addVisit(into: Map<string, PendingVisit>, k: string, v: PendingVisit): void {
  into.set(k, merged(into.get(k), v));
}

/**
 * What one read adds to the rows it read: every batch not settled when the read began and
 * every later one, unless the read's snapshot already sees it (its transaction committed
 * before the statement started). A batch being written is thus counted exactly once,
 * whichever side of its commit the read's snapshot falls; without this a read during a
 * flush saw the counts neither in memory nor in the table.
 */
export class PendingRenders {
  constructor(private readonly from: Batch) {}

  /** Whether the read must add the batch: not failed (its counts moved on), and not in its snapshot. */
  private static adds(b: Batch, snapshot: string): boolean {
    return !b.failed && (b.xid === null || !visibleIn(snapshot, b.xid));
  }

  visit(appId: string, userId: string, snapshot: string): PendingVisit | undefined {
    const k = userKey(appId, userId);
    let sum: PendingVisit | undefined;
    for (let b: Batch | null = this.from; b; b = b.next) {
      const v = b.visits.get(k);
      if (v && PendingRenders.adds(b, snapshot)) sum = merged(sum, v);
    }
    return sum;
  }

  /** Per variation of one experiment and bucket version: exposures the snapshot does not see. */
  exposures(
    appId: string,
    experimentId: string,
    bucketVersion: number,
    snapshot: string,
  ): Map<number, number> {
    const found = new Map<number, number>();
    for (let b: Batch | null = this.from; b; b = b.next) {
      if (!PendingRenders.adds(b, snapshot)) continue;
      for (const c of b.exposures.values()) {
        const e = c.exposure;
        if (c.appId === appId && e.experimentId === experimentId && e.bucketVersion === bucketVersion)
          found.set(e.variationId, (found.get(e.variationId) ?? 0) + c.n);
      }
    }
    return found;
  }
}

/** The stored activity with this instance's renders its read did not see added in. */
export function withPending(
  user: UserActivity | null,
  userId: string,
  p: PendingVisit | undefined,
): UserActivity | null {
  if (!p) return user;
  const first = new Date(p.firstMs).toISOString();
  const last = new Date(p.lastMs).toISOString();
  if (!user) {
    return {
      userId,
      firstSeenAt: first,
      lastSeenAt: last,
      renders: p.renders,
      events: 0,
      purchases: 0,
      lastEventAt: null,
      lastPurchaseAt: null,
      eventStats: [],
    };
  }
  const lastSeen = user.lastSeenAt === null || user.lastSeenAt < last ? last : user.lastSeenAt;
  return {
    ...user,
    firstSeenAt: user.firstSeenAt < first ? user.firstSeenAt : first,
    lastSeenAt: lastSeen,
    renders: user.renders + p.renders,
  };
}

/**
 * The banner render counters of one instance, summed in memory and written every
 * `intervalMs` in one statement: no row is written per request, and the shared
 * per-variation exposure rows see one update per instance per interval instead of one
 * per render. A failed write puts its counts back, so totals stay exact; what is lost is
 * at most one interval of counts if the process dies (the port allows it: no response
 * promises these counts). Reads of this instance add what their snapshot does not see
 * (`view()` before the statement, its `pg_current_snapshot()` after: PendingRenders).
 */
export class RenderTally {
  private open = new Batch();
  /** The oldest batch not settled (the open one when no write is under way). */
  private oldest: Batch = this.open;
  /** Written, but the COMMIT's answer never came: see resolveUnknown. */
  private readonly unknown: Batch[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly pool: Pool,
    private readonly intervalMs: number,
    private readonly onError: (err: Error) => void,
  ) {}

  add(appId: string, userId: string, at: Date, exposure: Exposure | null): void {
    const ms = at.getTime();
    addVisit(this.open.visits, userKey(appId, userId), { renders: 1, firstMs: ms, lastMs: ms });
    if (exposure) countExposure(this.open, appId, exposure, 1);
    this.flushLater();
  }

  /** Taken before a read's statement is sent; see PendingRenders. */
  view(): PendingRenders {
    return new PendingRenders(this.oldest);
  }

  private tick(): void {
    this.timer = null;
    this.flush().catch((err: unknown) => this.onError(err as Error));
  }

  /** Writes every pending count; resolves once they are committed (or rejects, counts kept). */
  flush(): Promise<void> {
    // After the previous flush whatever its outcome: a failed one already put its counts back.
    this.flushing = this.flushing.catch(() => undefined).then(() => this.write());
    return this.flushing;
  }

  private async write(): Promise<void> {
    try {
      await this.resolveUnknown();
    } catch (err) {
      this.flushLater();
      throw err;
    }
    const batch = this.open;
    if (batch.visits.size === 0 && batch.exposures.size === 0) return;
    this.open = new Batch();
    batch.next = this.open;
    let client: PoolClient | null = null;
    let committing = false;
    try {
      client = await this.pool.connect();
      await client.query('BEGIN');
      const { rows } = await client.query('SELECT pg_current_xact_id()::text AS xid');
      batch.xid = BigInt((rows[0] as { xid: string }).xid);
      await client.query(FLUSH, flushArgs(batch.visits, batch.exposures));
      committing = true;
      await client.query('COMMIT');
      client.release();
    } catch (err) {
      // Before the ROLLBACK's answer: a failed statement has already doomed the transaction.
      if (committing) this.unknown.push(batch);
      else this.putBack(batch);
      this.flushLater();
      if (client) await abandon(client, err);
      throw err;
    }
    this.settle(batch);
  }

  private flushLater(): void {
    this.timer ??= setTimeout(() => this.tick(), this.intervalMs).unref();
  }

  /**
   * The batches whose COMMIT got no answer (the client's timeout, a lost connection): the
   * database may have them. Asked by transaction id before anything else is written: put
   * back only if aborted. Re-adding them unasked counted every render twice when the commit's
   * answer was late (PostgreSQL probe: 100 renders stored as 123). Reads meanwhile add them
   * unless their snapshot sees the commit.
   */
  private async resolveUnknown(): Promise<void> {
    while (this.unknown.length > 0) {
      const batch = this.unknown[0] as Batch;
      const { rows } = await this.pool.query('SELECT pg_xact_status($1::text::xid8) AS status', [
        String(batch.xid),
      ]);
      const status = (rows[0] as { status: string | null }).status;
      if (status === 'in progress') throw new Error('a render counter write is still committing');
      this.unknown.shift();
      // null: too old for the commit log, long committed or aborted; aborted ones are rare
      // (the server rolls back a connection lost before COMMIT arrived), so counted as written.
      if (status === 'aborted') this.putBack(batch);
      else this.settle(batch);
    }
  }

  /** In one synchronous step: no read sees the counts twice or not at all. */
  private putBack(batch: Batch): void {
    if (batch.settled) return;
    for (const [k, v] of batch.visits) addVisit(this.open.visits, k, v);
    for (const c of batch.exposures.values()) countExposure(this.open, c.appId, c.exposure, c.n);
    batch.failed = true;
    this.settle(batch);
  }

  private settle(batch: Batch): void {
    batch.settled = true;
    while (this.oldest.settled && this.oldest.next) this.oldest = this.oldest.next;
  }

  /** Users whose render counts are not known to be written (a shutdown that could not write them). */
  get unwrittenUsers(): number {
    let users = 0;
    for (let b: Batch | null = this.oldest; b; b = b.next) if (!b.settled) users += b.visits.size;
    return users;
  }

  /** Stops the timer after writing what is pending (graceful shutdown). */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    try {
      await this.flush();
    } catch (err) {
      const message = `the render counts of ${this.unwrittenUsers} users were not written: ${(err as Error).message}`;
      throw new Error(message, { cause: err });
    }
  }
}

function countExposure(batch: Batch, appId: string, exposure: Exposure, n: number): void {
  const k = exposureKey(appId, exposure);
  const c = batch.exposures.get(k);
  if (c) c.n += n;
  else batch.exposures.set(k, { appId, exposure, n });
}

function flushArgs(visits: Map<string, PendingVisit>, exposures: Map<string, ExposureCount>): unknown[] {
  const v = [...visits].map(([k, p]) => ({ key: k.split('\n'), ...p }));
  const e = [...exposures.values()];
  return [
    v.map((x) => x.key[0]),
    v.map((x) => x.key[1]),
    v.map((x) => new Date(x.firstMs).toISOString()),
    v.map((x) => new Date(x.lastMs).toISOString()),
    v.map((x) => x.renders),
    e.map((x) => x.appId),
    e.map((x) => x.exposure.experimentId),
    e.map((x) => x.exposure.bucketVersion),
    e.map((x) => x.exposure.variationId),
    e.map((x) => x.n),
  ];
}
