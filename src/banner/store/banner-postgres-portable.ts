import type { Pool } from 'pg';
import { BANNER_COLLECTIONS, type PortableRecord, type PortableStore } from '../../store/portable.js';
import { inTransaction } from '../../store/postgres/migrate.js';
import { type Column, insertRows, keysetPages, type Row } from '../../store/postgres/portable-postgres.js';
import {
  type AssignmentRecord,
  assignmentRecord,
  type BannerUserRecord,
  bannerUserRecord,
  type ExperimentEndRecord,
  type ExposureRecord,
  experimentEndRecord,
  exposureRecord,
  type RecentEventsRecord,
  recentEventsRecord,
} from './banner-portable-records.js';
import { toAssignment, toEvent } from './banner-postgres-rows.js';
import type { AssignmentValue } from './banner-store.js';

const USER_KEY = ['app_id', 'user_id'];
const iso = (v: unknown): string | null => (v === null ? null : (v as Date).toISOString());

/** Rows of `table` for the users of one page, grouped by user. */
async function byUser(pool: Pool, table: string, users: Row[], order: string): Promise<Map<string, Row[]>> {
  const { rows } = await pool.query(
    `SELECT * FROM ${table} WHERE (app_id, user_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
     ORDER BY ${order}`,
    [users.map((u) => u.app_id), users.map((u) => u.user_id)],
  );
  const map = new Map<string, Row[]>();
  for (const r of rows as Row[]) {
    const k = `${r.app_id}\n${r.user_id}`;
    map.set(k, [...(map.get(k) ?? []), r]);
  }
  return map;
}

async function* users(pool: Pool): AsyncIterable<BannerUserRecord[]> {
  for await (const page of keysetPages(pool, '*', 'banner_users', USER_KEY)) {
    const stats = await byUser(pool, 'banner_event_stats', page, 'name');
    yield page.map((r) =>
      bannerUserRecord({
        appId: String(r.app_id),
        userId: String(r.user_id),
        firstSeenAt: iso(r.first_seen_at) ?? '',
        lastSeenAt: iso(r.last_seen_at),
        renders: Number(r.renders),
        events: Number(r.events),
        purchases: Number(r.purchases),
        lastEventAt: iso(r.last_event_at),
        lastPurchaseAt: iso(r.last_purchase_at),
        eventStats: (stats.get(`${r.app_id}\n${r.user_id}`) ?? []).map((s) => ({
          name: String(s.name),
          count: Number(s.count),
          lastAt: iso(s.last_at) ?? '',
        })),
      }),
    );
  }
}

/** Every user with tracked events keeps a banner_users row: its log is paged by those. */
async function* recentEvents(pool: Pool): AsyncIterable<RecentEventsRecord[]> {
  for await (const page of keysetPages(pool, 'app_id, user_id', 'banner_users', USER_KEY)) {
    const events = await byUser(pool, 'banner_events', page, 'id');
    yield page.flatMap((u) => {
      const list = events.get(`${u.app_id}\n${u.user_id}`);
      if (!list) return [];
      const appId = String(u.app_id);
      return [recentEventsRecord({ appId, userId: String(u.user_id), events: list.map(toEvent) })];
    });
  }
}

/** The revenue sums of one page of assignments, by their key. */
async function valuesOf(pool: Pool, page: Row[]): Promise<Map<string, AssignmentValue[]>> {
  const { rows } = await pool.query(
    `SELECT v.* FROM banner_assignment_values v
     JOIN unnest($1::text[], $2::text[], $3::int[], $4::text[]) AS k(app_id, experiment_id, bucket_version, user_id)
       USING (app_id, experiment_id, bucket_version, user_id)`,
    ['app_id', 'experiment_id', 'bucket_version', 'user_id'].map((c) => page.map((r) => r[c])),
  );
  const byKey = new Map<string, AssignmentValue[]>();
  for (const r of rows as Row[]) {
    const k = assignmentKey(r);
    byKey.set(k, [...(byKey.get(k) ?? []), { event: String(r.name), sum: Number(r.value_sum) }]);
  }
  return byKey;
}

const assignmentKey = (r: Row): string => [r.app_id, r.experiment_id, r.bucket_version, r.user_id].join('\n');

async function* assignments(pool: Pool): AsyncIterable<AssignmentRecord[]> {
  const key = ['app_id', 'experiment_id', 'bucket_version', 'user_id'];
  for await (const page of keysetPages(pool, '*', 'banner_assignments', key)) {
    const values = await valuesOf(pool, page);
    yield page.map((r) =>
      assignmentRecord({
        appId: String(r.app_id),
        ...toAssignment(r),
        ...(r.weights ? { weights: String(r.weights) } : {}),
        values: values.get(assignmentKey(r)),
      }),
    );
  }
}

async function* exposures(pool: Pool): AsyncIterable<ExposureRecord[]> {
  const key = ['app_id', 'experiment_id', 'bucket_version', 'variation_id'];
  for await (const page of keysetPages(pool, '*', 'banner_exposures', key)) {
    yield page.map((r) =>
      exposureRecord({
        appId: String(r.app_id),
        experimentId: String(r.experiment_id),
        bucketVersion: Number(r.bucket_version),
        variationId: Number(r.variation_id),
        exposures: Number(r.exposures),
      }),
    );
  }
}

const USER_COLUMNS: Column[] = [
  ['app_id', 'text'],
  ['user_id', 'text'],
  ['first_seen_at', 'timestamptz'],
  ['last_seen_at', 'timestamptz'],
  ['renders', 'integer'],
  ['events', 'integer'],
  ['purchases', 'integer'],
  ['last_event_at', 'timestamptz'],
  ['last_purchase_at', 'timestamptz'],
];
const STAT_COLUMNS: Column[] = [
  ['app_id', 'text'],
  ['user_id', 'text'],
  ['name', 'text'],
  ['count', 'integer'],
  ['last_at', 'timestamptz'],
];
const ASSIGNMENT_COLUMNS: Column[] = [
  ['app_id', 'text'],
  ['experiment_id', 'text'],
  ['bucket_version', 'integer'],
  ['user_id', 'text'],
  ['variation_id', 'integer'],
  ['assigned_at', 'timestamptz'],
  ['weights', 'text'],
];
const EVENT_COLUMNS: Column[] = [
  ['app_id', 'text'],
  ['user_id', 'text'],
  ['name', 'text'],
  ['time_ms', 'bigint'],
  ['received_at', 'timestamptz'],
  ['render_id', 'text'],
  ['experiment_id', 'text'],
  ['variation_id', 'integer'],
  ['value', 'double precision'],
];
const VALUE_COLUMNS: Column[] = [
  ['app_id', 'text'],
  ['experiment_id', 'text'],
  ['bucket_version', 'integer'],
  ['user_id', 'text'],
  ['name', 'text'],
  ['value_sum', 'double precision'],
];
const EXPOSURE_COLUMNS: Column[] = [
  ['app_id', 'text'],
  ['experiment_id', 'text'],
  ['bucket_version', 'integer'],
  ['variation_id', 'integer'],
  ['exposures', 'bigint'],
];

async function* experimentEnds(pool: Pool): AsyncIterable<ExperimentEndRecord[]> {
  const key = ['app_id', 'experiment_id', 'bucket_version'];
  for await (const page of keysetPages(pool, '*', 'banner_experiment_ends', key)) {
    yield page.map((r) =>
      experimentEndRecord({
        appId: String(r.app_id),
        experimentId: String(r.experiment_id),
        bucketVersion: Number(r.bucket_version),
        endedAt: iso(r.ended_at) ?? '',
      }),
    );
  }
}

const END_COLUMNS: Column[] = [
  ['app_id', 'text'],
  ['experiment_id', 'text'],
  ['bucket_version', 'integer'],
  ['ended_at', 'timestamptz'],
];

/** The banner tables as portable collections (see PortableStore). */
export class BannerPostgresPortable implements PortableStore {
  readonly collections = BANNER_COLLECTIONS;

  constructor(private readonly pool: Pool) {}

  exportRecords(collection: string): AsyncIterable<PortableRecord[]> {
    switch (collection) {
      case 'banner.users':
        return users(this.pool);
      case 'banner.assignments':
        return assignments(this.pool);
      case 'banner.recentEvents':
        return recentEvents(this.pool);
      case 'banner.exposures':
        return exposures(this.pool);
      case 'banner.experimentEnds':
        return experimentEnds(this.pool);
    }
    throw new Error(`no collection ${collection} in the banner store`);
  }

  async importRecords(collection: string, records: readonly PortableRecord[]): Promise<void> {
    await inTransaction(this.pool, async (c) => {
      switch (collection) {
        case 'banner.users': {
          const list = (records as BannerUserRecord[]).map(bannerUserRecord);
          await insertRows(c, 'banner_users', USER_COLUMNS, list.map(userRow));
          const stats = list.flatMap((u) =>
            u.eventStats.map((s) => ({ app_id: u.appId, user_id: u.userId, ...s, last_at: s.lastAt })),
          );
          return insertRows(c, 'banner_event_stats', STAT_COLUMNS, stats);
        }
        case 'banner.assignments': {
          const list = records as AssignmentRecord[];
          await insertRows(c, 'banner_assignments', ASSIGNMENT_COLUMNS, list.map(assignmentRow));
          return insertRows(c, 'banner_assignment_values', VALUE_COLUMNS, list.flatMap(valueRows));
        }
        case 'banner.recentEvents':
          return insertRows(
            c,
            'banner_events',
            EVENT_COLUMNS,
            (records as RecentEventsRecord[]).flatMap(eventRows),
          );
        case 'banner.exposures':
          return insertRows(
            c,
            'banner_exposures',
            EXPOSURE_COLUMNS,
            (records as ExposureRecord[]).map(exposureRow),
          );
        case 'banner.experimentEnds':
          return insertRows(
            c,
            'banner_experiment_ends',
            END_COLUMNS,
            (records as ExperimentEndRecord[]).map((e) => ({
              app_id: e.appId,
              experiment_id: e.experimentId,
              bucket_version: e.bucketVersion,
              ended_at: e.endedAt,
            })),
          );
      }
      throw new Error(`no collection ${collection} in the banner store`);
    });
  }
}

const userRow = (u: BannerUserRecord): Row => ({
  app_id: u.appId,
  user_id: u.userId,
  first_seen_at: u.firstSeenAt,
  last_seen_at: u.lastSeenAt,
  renders: u.renders,
  events: u.events,
  purchases: u.purchases,
  last_event_at: u.lastEventAt,
  last_purchase_at: u.lastPurchaseAt,
});

const assignmentRow = (a: AssignmentRecord): Row => ({
  app_id: a.appId,
  experiment_id: a.experimentId,
  bucket_version: a.bucketVersion,
  user_id: a.userId,
  variation_id: a.variationId,
  assigned_at: a.assignedAt,
  weights: a.weights ?? null,
});

const valueRows = (a: AssignmentRecord): Row[] =>
  (a.values ?? []).map((v) => ({ ...assignmentRow(a), name: v.event, value_sum: v.sum }));

const eventRows = (log: RecentEventsRecord): Row[] =>
  log.events.map((e) => ({
    app_id: log.appId,
    user_id: log.userId,
    name: e.name,
    time_ms: e.time,
    received_at: e.receivedAt,
    render_id: e.renderId,
    experiment_id: e.experimentId,
    variation_id: e.variationId,
    value: e.value,
  }));

const exposureRow = (c: ExposureRecord): Row => ({
  app_id: c.appId,
  experiment_id: c.experimentId,
  bucket_version: c.bucketVersion,
  variation_id: c.variationId,
  exposures: c.exposures,
});
