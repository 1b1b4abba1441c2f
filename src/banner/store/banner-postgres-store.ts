import type { Pool } from 'pg';
import { inTransaction } from '../../store/postgres/migrate.js';
import type { VariationTally } from '../domain/experiment-results.js';
import type { ProfileProperties } from '../domain/profile-ops.js';
import type { UserActivity } from '../domain/user-activity.js';
import { RESOLVE_LOCKED } from './banner-postgres-id-lock.js';
import { type PendingRenders, type RenderTally, withPending } from './banner-postgres-renders.js';
import {
  activityOf,
  isoText,
  type JsonRow,
  type Row,
  toAssignment,
  toEvent,
} from './banner-postgres-rows.js';
import { CLAIM_SLOT } from './banner-postgres-slot.js';
import { variationTallies } from './banner-postgres-tallies.js';
import { trackBatch } from './banner-postgres-track.js';
import {
  type Assignment,
  type BannerStore,
  type DailyEnrollment,
  type ExperimentKey,
  type Exposure,
  RECENT_EVENTS_PER_USER,
  type SdkVisitor,
  type TrackedEvent,
  type Visitor,
} from './banner-store.js';
import { foldUser } from './profile-postgres-link.js';

// What a render needs of a user, in one round trip: the activity row (absent for a new
// user, hence the LEFT JOIN from one row), its per-name stats and its assignments.

const VISITOR = `
  SELECT u.first_seen_at, u.last_seen_at, u.renders, u.events, u.purchases, u.last_event_at,
    u.last_purchase_at,
    (SELECT json_agg(json_build_array(s.name, s.count, s.last_at) ORDER BY s.name)
     FROM banner_event_stats s WHERE s.app_id = $1 AND s.user_id = $2) AS stats,
    (SELECT json_agg(json_build_array(a.experiment_id, a.bucket_version, a.variation_id, a.assigned_at)
       ORDER BY a.assigned_at, a.experiment_id)
     FROM banner_assignments a WHERE a.app_id = $1 AND a.user_id = $2) AS assignments,
    pg_current_snapshot()::text AS snapshot
  FROM (SELECT 1) one LEFT JOIN banner_users u ON u.app_id = $1 AND u.user_id = $2`;

// The same for the distinct id the sent id stands for, with its SDK profile's properties
// (banner_aliases and banner_profiles are the ProfileStore's): a render's one read.
const SDK_VISITOR = `
  WITH id AS (
    SELECT coalesce((SELECT distinct_id FROM banner_aliases WHERE app_id = $1 AND alias = $2), $2) AS user_id
  )
  SELECT id.user_id, u.first_seen_at, u.last_seen_at, u.renders, u.events, u.purchases, u.last_event_at,
    u.last_purchase_at,
    (SELECT json_agg(json_build_array(s.name, s.count, s.last_at) ORDER BY s.name)
     FROM banner_event_stats s WHERE s.app_id = $1 AND s.user_id = id.user_id) AS stats,
    (SELECT json_agg(json_build_array(a.experiment_id, a.bucket_version, a.variation_id, a.assigned_at)
       ORDER BY a.assigned_at, a.experiment_id)
     FROM banner_assignments a WHERE a.app_id = $1 AND a.user_id = id.user_id) AS assignments,
    (SELECT p.properties FROM banner_profiles p
     WHERE p.app_id = $1 AND p.kind = 'user' AND p.id = id.user_id) AS properties,
    pg_current_snapshot()::text AS snapshot
  FROM id LEFT JOIN banner_users u ON u.app_id = $1 AND u.user_id = id.user_id`;

/** When the bucket version ($1, $2, $3) ended, or infinity (BannerStore.endVersions). */
const VERSION_END = `coalesce((SELECT min(ended_at) FROM banner_experiment_ends
  WHERE app_id = $1 AND experiment_id = $2 AND bucket_version >= $3), 'infinity')`;

/** As ProfilePostgresStore.profile reads them: an empty row (a failed first update) is none. */
function propertiesOf(v: unknown): ProfileProperties | null {
  const props = v as ProfileProperties | null;
  return props && Object.keys(props).length > 0 ? props : null;
}

/**
 * BannerStore on PostgreSQL: every invariant is a constraint or a single-statement
 * upsert; render counters go through the instance's RenderTally (one statement a second).
 */
export class BannerPostgresStore implements BannerStore {
  constructor(
    private readonly pool: Pool,
    private readonly renders: RenderTally,
  ) {}

  async visitor(appId: string, userId: string): Promise<Visitor> {
    const pending = this.renders.view();
    const { rows } = await this.pool.query({
      name: 'banner-visitor',
      text: VISITOR,
      values: [appId, userId],
    });
    return this.visitorOf(appId, userId, rows[0] as Row, pending);
  }

  async sdkVisitor(appId: string, sentId: string): Promise<SdkVisitor> {
    const pending = this.renders.view();
    const { rows } = await this.pool.query({
      name: 'banner-sdk-visitor',
      text: SDK_VISITOR,
      values: [appId, sentId],
    });
    const r = rows[0] as Row;
    const userId = r.user_id as string;
    return { ...this.visitorOf(appId, userId, r, pending), userId, properties: propertiesOf(r.properties) };
  }

  private visitorOf(appId: string, userId: string, r: Row, pending: PendingRenders): Visitor {
    const assignments = ((r.assignments as JsonRow[] | null) ?? []).map(
      ([experimentId, bucketVersion, variationId, assignedAt]) => ({
        experimentId: experimentId as string,
        bucketVersion: bucketVersion as number,
        userId,
        variationId: variationId as number,
        assignedAt: isoText(assignedAt),
      }),
    );
    const stored = r.first_seen_at === null ? null : activityOf(userId, r);
    const unseen = pending.visit(appId, userId, r.snapshot as string);
    return { user: withPending(stored, userId, unseen), assignments };
  }

  async user(appId: string, userId: string): Promise<UserActivity | null> {
    return (await this.visitor(appId, userId)).user;
  }

  async assignments(appId: string, userId: string): Promise<Assignment[]> {
    const { rows } = await this.pool.query(
      'SELECT * FROM banner_assignments WHERE app_id = $1 AND user_id = $2 ORDER BY assigned_at, experiment_id',
      [appId, userId],
    );
    return rows.map(toAssignment);
  }

  /** One round trip whether or not there are rivals (see banner-postgres-slot.ts). */
  async assign(
    appId: string,
    p: Assignment,
    rivals: readonly ExperimentKey[] = [],
  ): Promise<{ assignment: Assignment; created: boolean }> {
    const { rows } = await this.pool.query({
      name: 'banner-claim-slot',
      text: CLAIM_SLOT,
      values: [
        appId,
        p.experimentId,
        p.bucketVersion,
        p.userId,
        p.variationId,
        p.assignedAt,
        rivals.map((k) => k.experimentId),
        rivals.map((k) => k.bucketVersion),
        p.weights ?? null,
      ],
    });
    const row = rows[0] as Row;
    return { assignment: toAssignment(row), created: row.created as boolean };
  }

  /**
   * The link merged the new id's rows (ProfileStore.alias: adoptAlias, in its transaction);
   * what remains are this instance's renders of it still counted in memory, which a flush
   * would write under the new id after the link: written now and folded in too. (Another
   * instance's, flushed within its second, stay under the new id: counts only.)
   */
  async adopt(appId: string, from: string, into: string): Promise<void> {
    // Its `drop` was applied with the assignments, in the link (ProfileStore.alias).
    await this.renders.flush();
    await inTransaction(this.pool, (c) => foldUser(c, appId, from, into));
  }

  /** Counted in memory, written within a second by the tally (see RenderTally for the guarantee). */
  async recordRender(appId: string, userId: string, at: Date, exposure: Exposure | null): Promise<void> {
    this.renders.add(appId, userId, at, exposure);
  }

  /**
   * The events and the claims of their insert keys (rows of banner_insert_ids the SDK
   * service's claimInsertIds inserted as not stored) in one transaction: marked stored only
   * after the events' commit, in a statement of its own, a kill in between left the claims
   * pending, and once older than PENDING_STALE_MS another instance took them over as
   * abandoned and stored the events again (a retry after 30 s: the Unity SDK backs off for
   * minutes). The claim call's own update after this finds nothing left to mark.
   */
  async track(
    appId: string,
    events: readonly TrackedEvent[],
    insertKeys: readonly (string | null)[] = [],
  ): Promise<void> {
    if (events.length === 0) return;
    const keys = insertKeys.filter((k): k is string => k !== null);
    await inTransaction(this.pool, async (client) => {
      // Each id resolved again under its lock: a link committed since the caller resolved it
      // counts, and a link after waits for this commit and sees the events (its TAKEN check).
      const { rows } = await client.query(RESOLVE_LOCKED, [appId, [...new Set(events.map((e) => e.userId))]]);
      const users = new Map(rows.map((r: Row) => [r.sent as string, r.user_id as string]));
      const resolved = events.map((e) => ({ ...e, userId: users.get(e.userId) ?? e.userId }));
      await trackBatch(client, appId, resolved);
      if (keys.length === 0) return;
      await client.query(
        'UPDATE banner_insert_ids SET stored = true WHERE app_id = $1 AND insert_id = ANY($2) AND NOT stored',
        [appId, keys],
      );
    });
  }

  async recentEvents(appId: string, userId: string): Promise<TrackedEvent[]> {
    const { rows } = await this.pool.query(
      'SELECT * FROM banner_events WHERE app_id = $1 AND user_id = $2 ORDER BY id DESC LIMIT $3',
      [appId, userId, RECENT_EVENTS_PER_USER],
    );
    return rows.map(toEvent).reverse();
  }

  async endVersions(appId: string, ended: readonly ExperimentKey[], at: Date): Promise<void> {
    if (ended.length === 0) return;
    await this.pool.query(
      `INSERT INTO banner_experiment_ends (app_id, experiment_id, bucket_version, ended_at)
       SELECT $1, t.experiment_id, t.bucket_version, $4
       FROM unnest($2::text[], $3::int[]) AS t(experiment_id, bucket_version)
       ON CONFLICT DO NOTHING`,
      [appId, ended.map((e) => e.experimentId), ended.map((e) => e.bucketVersion), at.toISOString()],
    );
  }

  async tallies(
    appId: string,
    experimentId: string,
    bucketVersion: number,
    valueEvent?: string,
  ): Promise<VariationTally[]> {
    const args = [appId, experimentId, bucketVersion];
    const where = 'app_id = $1 AND experiment_id = $2 AND bucket_version = $3';
    const pending = this.renders.view();
    const [users, exposures, conversions, revenue] = await Promise.all([
      this.pool.query(
        `SELECT variation_id, weights, count(*) FILTER (WHERE NOT late)::int AS n,
           count(*) FILTER (WHERE late)::int AS late, min(assigned_at) FILTER (WHERE NOT late) AS first
         FROM (SELECT *, assigned_at > ${VERSION_END} AS late FROM banner_assignments WHERE ${where}) a
         GROUP BY 1, 2 ORDER BY 2 NULLS FIRST`,
        args,
      ),
      this.pool.query(
        `SELECT json_agg(json_build_array(variation_id, exposures)) AS counts,
           pg_current_snapshot()::text AS snapshot
         FROM banner_exposures WHERE ${where}`,
        args,
      ),
      this.pool.query(
        // A row per assignment and name credited within its window (trackBatch).
        `SELECT a.variation_id, v.name, count(*)::int AS n
         FROM banner_assignments a JOIN banner_assignment_values v
           ON v.app_id = a.app_id AND v.experiment_id = a.experiment_id
           AND v.bucket_version = a.bucket_version AND v.user_id = a.user_id
         WHERE a.app_id = $1 AND a.experiment_id = $2 AND a.bucket_version = $3
         GROUP BY 1, 2 ORDER BY 2`,
        args,
      ),
      valueEvent === undefined ? null : this.revenueSums([...args, valueEvent]),
    ]);
    const e = exposures.rows[0] as Row;
    const unseen = pending.exposures(appId, experimentId, bucketVersion, e.snapshot as string);
    return variationTallies(
      users.rows,
      e.counts as [number, number][] | null,
      conversions.rows,
      revenue,
      unseen,
    );
  }

  async enrollmentsByDay(
    appId: string,
    experimentId: string,
    bucketVersion: number,
  ): Promise<DailyEnrollment[]> {
    // Served by the primary key's (app, experiment, bucket version) prefix: one scan of the experiment.
    const { rows } = await this.pool.query(
      `SELECT to_char(assigned_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, variation_id, count(*)::int AS n
       FROM banner_assignments WHERE app_id = $1 AND experiment_id = $2 AND bucket_version = $3
         AND assigned_at <= ${VERSION_END}
       GROUP BY 1, 2 ORDER BY 1, 2`,
      [appId, experimentId, bucketVersion],
    );
    return rows.map((r: Row) => ({
      day: r.day as string,
      variationId: r.variation_id as number,
      users: r.n as number,
    }));
  }

  async versionEnd(appId: string, experimentId: string, bucketVersion: number): Promise<string | null> {
    const { rows } = await this.pool.query(
      `SELECT min(ended_at) AS ended_at FROM banner_experiment_ends
       WHERE app_id = $1 AND experiment_id = $2 AND bucket_version >= $3`,
      [appId, experimentId, bucketVersion],
    );
    const end = (rows[0] as Row | undefined)?.ended_at;
    return end ? (end as Date).toISOString() : null;
  }

  /** Per variation Σ and Σ² of each assigned user's value sum of one event (users without one add 0). */
  private async revenueSums(args: unknown[]): Promise<Map<number, { sum: number; sumSquares: number }>> {
    const { rows } = await this.pool.query(
      `SELECT a.variation_id, sum(v.value_sum) AS sum, sum(v.value_sum * v.value_sum) AS squares
       FROM banner_assignments a JOIN banner_assignment_values v
         ON v.app_id = a.app_id AND v.experiment_id = a.experiment_id
         AND v.bucket_version = a.bucket_version AND v.user_id = a.user_id AND v.name = $4
       WHERE a.app_id = $1 AND a.experiment_id = $2 AND a.bucket_version = $3
       GROUP BY 1`,
      args,
    );
    return new Map(
      (rows as Row[]).map((r) => [
        r.variation_id as number,
        { sum: Number(r.sum), sumSquares: Number(r.squares) },
      ]),
    );
  }
}
