import type { Pool } from 'pg';
import { inTransaction } from '../../store/postgres/migrate.js';
import type { VariationTally } from '../domain/experiment-results.js';
import type { UserActivity } from '../domain/user-activity.js';
import { trackBatch } from './banner-postgres-track.js';
import {
  type Assignment,
  type BannerStore,
  type Exposure,
  RECENT_EVENTS_PER_USER,
  type TrackedEvent,
} from './banner-store.js';

type Row = Record<string, unknown>;

const iso = (v: unknown): string => (v as Date).toISOString();
const isoOrNull = (v: unknown): string | null => (v === null ? null : iso(v));

export function toAssignment(r: Row): Assignment {
  return {
    experimentId: r.experiment_id as string,
    bucketVersion: r.bucket_version as number,
    userId: r.user_id as string,
    variationId: r.variation_id as number,
    assignedAt: iso(r.assigned_at),
  };
}

export function toEvent(r: Row): TrackedEvent {
  return {
    userId: r.user_id as string,
    name: r.name as string,
    time: r.time_ms === null ? null : Number(r.time_ms),
    receivedAt: iso(r.received_at),
    renderId: r.render_id as string | null,
    experimentId: r.experiment_id as string | null,
    variationId: r.variation_id as number | null,
  };
}

const UPSERT_VISIT = `
  INSERT INTO banner_users (app_id, user_id, first_seen_at, last_seen_at, renders)
  VALUES ($1, $2, $3, $3, 1)
  ON CONFLICT (app_id, user_id) DO UPDATE SET
    first_seen_at = LEAST(banner_users.first_seen_at, EXCLUDED.first_seen_at),
    last_seen_at = GREATEST(banner_users.last_seen_at, EXCLUDED.last_seen_at),
    renders = banner_users.renders + 1`;

const COUNT_EXPOSURE = `
  INSERT INTO banner_exposures (app_id, experiment_id, bucket_version, variation_id, exposures)
  VALUES ($1, $2, $3, $4, 1)
  ON CONFLICT (app_id, experiment_id, bucket_version, variation_id)
  DO UPDATE SET exposures = banner_exposures.exposures + 1`;

/** BannerStore on PostgreSQL: every invariant is a constraint or a single-statement upsert. */
export class BannerPostgresStore implements BannerStore {
  constructor(private readonly pool: Pool) {}

  async user(appId: string, userId: string): Promise<UserActivity | null> {
    const [users, stats] = await Promise.all([
      this.pool.query('SELECT * FROM banner_users WHERE app_id = $1 AND user_id = $2', [appId, userId]),
      this.pool.query(
        'SELECT name, count, last_at FROM banner_event_stats WHERE app_id = $1 AND user_id = $2 ORDER BY name',
        [appId, userId],
      ),
    ]);
    const r = users.rows[0] as Row | undefined;
    if (!r) return null;
    return {
      userId,
      firstSeenAt: iso(r.first_seen_at),
      lastSeenAt: isoOrNull(r.last_seen_at),
      renders: r.renders as number,
      events: r.events as number,
      purchases: r.purchases as number,
      lastEventAt: isoOrNull(r.last_event_at),
      lastPurchaseAt: isoOrNull(r.last_purchase_at),
      eventStats: stats.rows.map((s: Row) => ({
        name: s.name as string,
        count: s.count as number,
        lastAt: iso(s.last_at),
      })),
    };
  }

  async assignments(appId: string, userId: string): Promise<Assignment[]> {
    const { rows } = await this.pool.query(
      'SELECT * FROM banner_assignments WHERE app_id = $1 AND user_id = $2 ORDER BY assigned_at, experiment_id',
      [appId, userId],
    );
    return rows.map(toAssignment);
  }

  async assign(appId: string, p: Assignment): Promise<{ assignment: Assignment; created: boolean }> {
    const inserted = await this.pool.query(
      `INSERT INTO banner_assignments
         (app_id, experiment_id, bucket_version, user_id, variation_id, assigned_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING *`,
      [appId, p.experimentId, p.bucketVersion, p.userId, p.variationId, p.assignedAt],
    );
    if (inserted.rows[0]) return { assignment: toAssignment(inserted.rows[0]), created: true };
    const { rows } = await this.pool.query(
      `SELECT * FROM banner_assignments
       WHERE app_id = $1 AND experiment_id = $2 AND bucket_version = $3 AND user_id = $4`,
      [appId, p.experimentId, p.bucketVersion, p.userId],
    );
    return { assignment: toAssignment(rows[0] as Row), created: false };
  }

  async recordRender(appId: string, userId: string, at: Date, exposure: Exposure | null): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await client.query(UPSERT_VISIT, [appId, userId, at]);
      if (exposure) {
        const { experimentId, bucketVersion, variationId } = exposure;
        await client.query(COUNT_EXPOSURE, [appId, experimentId, bucketVersion, variationId]);
      }
    });
  }

  async track(appId: string, events: readonly TrackedEvent[]): Promise<void> {
    if (events.length === 0) return;
    await inTransaction(this.pool, (client) => trackBatch(client, appId, events));
  }

  async recentEvents(appId: string, userId: string): Promise<TrackedEvent[]> {
    const { rows } = await this.pool.query(
      'SELECT * FROM banner_events WHERE app_id = $1 AND user_id = $2 ORDER BY id DESC LIMIT $3',
      [appId, userId, RECENT_EVENTS_PER_USER],
    );
    return rows.map(toEvent).reverse();
  }

  async tallies(appId: string, experimentId: string, bucketVersion: number): Promise<VariationTally[]> {
    const args = [appId, experimentId, bucketVersion];
    const where = 'app_id = $1 AND experiment_id = $2 AND bucket_version = $3';
    const [users, exposures, conversions] = await Promise.all([
      this.pool.query(
        `SELECT variation_id, count(*)::int AS n, min(assigned_at) AS first
         FROM banner_assignments WHERE ${where} GROUP BY 1`,
        args,
      ),
      this.pool.query(`SELECT variation_id, exposures FROM banner_exposures WHERE ${where}`, args),
      this.pool.query(
        `SELECT a.variation_id, s.name, count(*)::int AS n
         FROM banner_assignments a JOIN banner_event_stats s
           ON s.app_id = a.app_id AND s.user_id = a.user_id AND s.last_at >= a.assigned_at
         WHERE a.app_id = $1 AND a.experiment_id = $2 AND a.bucket_version = $3
         GROUP BY 1, 2 ORDER BY 2`,
        args,
      ),
    ]);
    const ids = new Set<number>([...users.rows, ...exposures.rows].map((r: Row) => r.variation_id as number));
    return [...ids]
      .sort((a, b) => a - b)
      .map((variationId) => {
        const assigned = users.rows.find((r: Row) => r.variation_id === variationId);
        return {
          variationId,
          users: (assigned?.n as number | undefined) ?? 0,
          firstAssignedAt: assigned ? iso(assigned.first) : null,
          exposures: Number(exposures.rows.find((r: Row) => r.variation_id === variationId)?.exposures ?? 0),
          conversions: conversions.rows
            .filter((r: Row) => r.variation_id === variationId)
            .map((r: Row) => ({ event: r.name as string, users: r.n as number })),
        };
      });
  }
}
