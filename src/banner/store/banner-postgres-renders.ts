import type { Pool } from 'pg';
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

/**
 * The banner render counters of one instance, summed in memory and written every
 * `intervalMs` in one statement: no row is written per request, and the shared
 * per-variation exposure rows see one update per instance per interval instead of one
 * per render. A failed flush puts its counts back, so totals stay exact; what is lost is
 * at most one interval of counts if the process dies (the port allows it: no response
 * promises these counts). Reads of this instance add its pending counts.
 */
export class RenderTally {
  private visits = new Map<string, PendingVisit>();
  private exposures = new Map<string, ExposureCount>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly pool: Pool,
    private readonly intervalMs: number,
    private readonly onError: (err: Error) => void,
  ) {}

  add(appId: string, userId: string, at: Date, exposure: Exposure | null): void {
    const ms = at.getTime();
    const k = userKey(appId, userId);
    const v = this.visits.get(k);
    if (v) {
      v.renders += 1;
      v.firstMs = Math.min(v.firstMs, ms);
      v.lastMs = Math.max(v.lastMs, ms);
    } else this.visits.set(k, { renders: 1, firstMs: ms, lastMs: ms });
    if (exposure) this.countExposure(appId, exposure, 1);
    this.timer ??= setTimeout(() => this.tick(), this.intervalMs).unref();
  }

  private countExposure(appId: string, exposure: Exposure, n: number): void {
    const k = exposureKey(appId, exposure);
    const c = this.exposures.get(k);
    if (c) c.n += n;
    else this.exposures.set(k, { appId, exposure, n });
  }

  pendingVisit(appId: string, userId: string): PendingVisit | undefined {
    return this.visits.get(userKey(appId, userId));
  }

  /** Per variation of one experiment and bucket version: exposures not yet written. */
  pendingExposures(appId: string, experimentId: string, bucketVersion: number): Map<number, number> {
    const found = new Map<number, number>();
    for (const c of this.exposures.values()) {
      const e = c.exposure;
      if (c.appId === appId && e.experimentId === experimentId && e.bucketVersion === bucketVersion)
        found.set(e.variationId, c.n);
    }
    return found;
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
    if (this.visits.size === 0 && this.exposures.size === 0) return;
    const visits = this.visits;
    const exposures = this.exposures;
    this.visits = new Map();
    this.exposures = new Map();
    try {
      await this.pool.query(FLUSH, flushArgs(visits, exposures));
    } catch (err) {
      this.putBack(visits, exposures);
      this.timer ??= setTimeout(() => this.tick(), this.intervalMs).unref();
      throw err;
    }
  }

  private putBack(visits: Map<string, PendingVisit>, exposures: Map<string, ExposureCount>): void {
    for (const [k, v] of visits) {
      const now = this.visits.get(k);
      if (!now) this.visits.set(k, v);
      else {
        now.renders += v.renders;
        now.firstMs = Math.min(now.firstMs, v.firstMs);
        now.lastMs = Math.max(now.lastMs, v.lastMs);
      }
    }
    for (const c of exposures.values()) this.countExposure(c.appId, c.exposure, c.n);
  }

  /** Stops the timer after writing what is pending (graceful shutdown). */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
  }
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
