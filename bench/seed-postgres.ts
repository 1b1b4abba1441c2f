/**
 * Seeds PostgreSQL for the benchmark set-based: each table in one INSERT … SELECT over
 * generate_series, in the shapes bench/seed.ts gives the embedded store through the
 * ports (a third of the banner users bought, a ninth three times; every user assigned
 * in the first running experiment; journeys users with three plays, a fifth each new,
 * at risk, churned, inactive and active; every tenth user clicked two offers and
 * completed the first). Users are `u0`…`u{n-1}`, as the load generator draws them.
 */
import type pg from 'pg';
import type { CatalogOffer } from '../src/offerwall/domain/offer.js';
import { finalEventId } from '../src/offerwall/domain/offer.js';
import type { AppRules } from '../src/rules/app-rules.js';
import { APP, WALL } from './bench-env.js';

const BANNER_USERS = `
  INSERT INTO banner_users (app_id, user_id, first_seen_at, last_seen_at, renders, events, purchases,
    last_event_at, last_purchase_at)
  SELECT $1, 'u' || i, now() - interval '3 days', now() - interval '1 day', 1,
    CASE WHEN i % 9 = 0 THEN 3 WHEN i % 3 = 0 THEN 1 ELSE 0 END,
    CASE WHEN i % 9 = 0 THEN 3 WHEN i % 3 = 0 THEN 1 ELSE 0 END,
    CASE WHEN i % 3 = 0 THEN now() - interval '3 days' END,
    CASE WHEN i % 3 = 0 THEN now() - interval '3 days' END
  FROM generate_series(0, $2::int - 1) AS i`;

const BANNER_STATS = `
  INSERT INTO banner_event_stats (app_id, user_id, name, count, last_at)
  SELECT $1, 'u' || i, 'SpecialOfferPopupPurchased', CASE WHEN i % 9 = 0 THEN 3 ELSE 1 END,
    now() - interval '3 days'
  FROM generate_series(0, $2::int - 1, 3) AS i`;

const BANNER_ASSIGNMENTS = `
  INSERT INTO banner_assignments (app_id, experiment_id, bucket_version, user_id, variation_id, assigned_at)
  SELECT $1, $3, $4, 'u' || i, ($5::int[])[1 + i % cardinality($5::int[])], now() - interval '1 day'
  FROM generate_series(0, $2::int - 1) AS i`;

// Days since user i's latest event: the fifths of the mix.
const LAST_EVENT_DAYS_AGO = '(ARRAY[0.1, 20, 40, 61, 2])[1 + i % 5]';

// Last seen is the later of updated_at and the latest event (profile-aggregates.ts), so
// updated_at is the latest event's time: with now() every user was last seen now, all
// active, and got the full three offers. $3 (allActive) keeps that old seed for comparison.
const JOURNEYS_USERS = `
  INSERT INTO journeys_users (app_id, environment, external_id, id, tags, metadata, created_at, updated_at)
  SELECT $1, 'test', 'u' || i, 'bench-u' || i, '{}', '{}', now() - interval '90 days',
    CASE WHEN $3::boolean THEN now() ELSE now() - ${LAST_EVENT_DAYS_AGO} * interval '1 day' END
  FROM generate_series(0, $2::int - 1) AS i`;

const JOURNEYS_EVENTS = `
  INSERT INTO journeys_events (app_id, environment, id, external_id, category, event_type, points,
    occurred_at, received_at, metadata)
  SELECT $1, 'test', 'bench-e' || i || '-' || k, 'u' || i, 'GAME_PLAY', 'spin', 10,
    now() - ${LAST_EVENT_DAYS_AGO} * interval '1 day' - k * interval '1 hour',
    now(), jsonb_build_object('won', k = 0)
  FROM generate_series(0, $2::int - 1) AS i, generate_series(0, 2) AS k`;

// Offer k of a user: the catalog arrays' element at (i*7) or (i*13+5) modulo their length.
const OFFERWALL_PROGRESS = `
  INSERT INTO offerwall_progress (app_id, uid, offer_id, wall_id, category, offer_type, status, sid3, clicks,
    first_click_at, last_click_at, completed_events, completed_at, updated_at)
  SELECT DISTINCT ON (i, o) $1, 'u' || i, ($4::bigint[])[o], $3, ($5::text[])[o], ($6::int[])[o],
    CASE WHEN k = 0 THEN 'completed' ELSE 'in_progress' END, 'bench', 1, now(), now(),
    CASE WHEN k = 0 THEN jsonb_build_array(($7::text[])[o]) ELSE '[]'::jsonb END,
    CASE WHEN k = 0 THEN now() END, now()
  FROM generate_series(0, $2::int - 1, 10) AS i, generate_series(0, 1) AS k,
    LATERAL (SELECT 1 + CASE WHEN k = 0 THEN (i * 7) ELSE (i * 13 + 5) END % cardinality($4::bigint[]) AS o) pick
  ORDER BY i, o, k`;

export interface SeedFigures {
  ms: Record<string, number>;
  rows: Record<string, number>;
}

async function step(db: pg.Pool, figures: SeedFigures, name: string, sql: string, args: unknown[]) {
  const started = performance.now();
  const res = await db.query(sql, args);
  figures.ms[name] = Math.round(performance.now() - started);
  figures.rows[name] = res.rowCount ?? 0;
}

/**
 * Seeds `users` users into the migrated, empty database behind `db`. `allActive`: every
 * journeys user last seen now (the seed before 2026-12-02: three offers for every user).
 */
export async function seedPostgres(
  db: pg.Pool,
  rules: AppRules,
  users: number,
  offers: readonly CatalogOffer[],
  options: { allActive?: boolean } = {},
): Promise<SeedFigures> {
  const experiment =
    rules.banner?.experiments.find((e) => e.status === 'running') ?? rules.banner?.experiments[0];
  if (!experiment) throw new Error('the scaled rules have no banner experiment');
  const figures: SeedFigures = { ms: {}, rows: {} };
  const n = [APP, users];
  await step(db, figures, 'banner_users', BANNER_USERS, n);
  await step(db, figures, 'banner_event_stats', BANNER_STATS, n);
  await step(db, figures, 'banner_assignments', BANNER_ASSIGNMENTS, [
    ...n,
    experiment.id,
    experiment.bucketVersion,
    experiment.variations.map((v) => v.id),
  ]);
  await step(db, figures, 'journeys_users', JOURNEYS_USERS, [...n, options.allActive === true]);
  await step(db, figures, 'journeys_events', JOURNEYS_EVENTS, n);
  await step(db, figures, 'offerwall_progress', OFFERWALL_PROGRESS, [
    ...n,
    WALL,
    offers.map((o) => o.offer_id),
    offers.map((o) => o.category),
    offers.map((o) => o.offer_type),
    offers.map((o) => finalEventId(o) ?? ''),
  ]);
  const started = performance.now();
  await db.query('ANALYZE');
  figures.ms.analyze = Math.round(performance.now() - started);
  return figures;
}
