import type { PoolClient } from 'pg';
import { conversionAt } from '../domain/event-value.js';
import { isPurchase } from '../domain/user-activity.js';
import { EVENT_NAMES_PER_USER, RECENT_EVENTS_PER_USER, type TrackedEvent } from './banner-store.js';

interface UserTotals {
  firstAt: string;
  events: number;
  purchases: number;
  lastEventAt: string;
  lastPurchaseAt: string | null;
}

const later = (a: string | null, b: string): string => (a === null || Date.parse(a) < Date.parse(b) ? b : a);
const earlier = (a: string, b: string): string => (Date.parse(a) <= Date.parse(b) ? a : b);

/** A batch summed per user and per (user, event name): one counter update per row. */
function totals(events: readonly TrackedEvent[]) {
  const users = new Map<string, UserTotals>();
  const stats = new Map<string, { userId: string; name: string; count: number; lastAt: string }>();
  for (const e of events) {
    const at = new Date(e.receivedAt).toISOString();
    const purchase = isPurchase(e.name);
    const u = users.get(e.userId);
    if (u) {
      u.firstAt = earlier(u.firstAt, at);
      u.events += 1;
      u.lastEventAt = later(u.lastEventAt, at);
      if (purchase) {
        u.purchases += 1;
        u.lastPurchaseAt = later(u.lastPurchaseAt, at);
      }
    } else {
      const p = purchase ? at : null;
      users.set(e.userId, {
        firstAt: at,
        events: 1,
        purchases: p ? 1 : 0,
        lastEventAt: at,
        lastPurchaseAt: p,
      });
    }
    // Ids never contain a newline (they are validated), so the joined key cannot collide.
    const k = `${e.userId}\n${e.name}`;
    // Per name, the last time is the event's own (bounded): conversions compare it with assignments.
    const happened = conversionAt(e);
    const s = stats.get(k);
    if (s) {
      s.count += 1;
      s.lastAt = later(s.lastAt, happened);
    } else stats.set(k, { userId: e.userId, name: e.name, count: 1, lastAt: happened });
  }
  return { users, stats: [...stats.values()] };
}

// Rows go in ORDER BY key, so every transaction locks the rows it shares with another in
// the same order: two instances tracking the same users in different orders wait for
// each other instead of deadlocking. The user rows come first and are held to the end,
// which also serializes the event inserts and trims of one user.
const COUNT_USERS = `
  INSERT INTO banner_users AS u
    (app_id, user_id, first_seen_at, events, purchases, last_event_at, last_purchase_at)
  SELECT $1, t.user_id, t.first_at, t.events, t.purchases, t.last_event_at, t.last_purchase_at
  FROM unnest($2::text[], $3::timestamptz[], $4::int[], $5::int[], $6::timestamptz[], $7::timestamptz[])
    AS t(user_id, first_at, events, purchases, last_event_at, last_purchase_at)
  ORDER BY t.user_id
  ON CONFLICT (app_id, user_id) DO UPDATE SET
    first_seen_at = LEAST(u.first_seen_at, EXCLUDED.first_seen_at),
    events = u.events + EXCLUDED.events,
    purchases = u.purchases + EXCLUDED.purchases,
    last_event_at = GREATEST(u.last_event_at, EXCLUDED.last_event_at),
    last_purchase_at = GREATEST(u.last_purchase_at, EXCLUDED.last_purchase_at)`;

// A name the user already has always counts; of the new ones, in batch order (ord), only
// as many as keep the user within $6 names (EVENT_NAMES_PER_USER). The user rows locked
// by COUNT_USERS keep another transaction from adding names of these users meanwhile.
const COUNT_NAMES = `
  WITH t AS (
    SELECT t.*, EXISTS (
        SELECT 1 FROM banner_event_stats k WHERE k.app_id = $1 AND k.user_id = t.user_id AND k.name = t.name
      ) AS known
    FROM unnest($2::text[], $3::text[], $4::int[], $5::timestamptz[]) WITH ORDINALITY
      AS t(user_id, name, count, last_at, ord)
  ), held AS (
    SELECT h.user_id, count(*) AS names FROM banner_event_stats h
    WHERE h.app_id = $1 AND h.user_id IN (SELECT user_id FROM t WHERE NOT known)
    GROUP BY h.user_id
  ), ranked AS (
    SELECT t.*, row_number() OVER (PARTITION BY t.user_id, t.known ORDER BY t.ord) AS n FROM t
  )
  INSERT INTO banner_event_stats AS s (app_id, user_id, name, count, last_at)
  SELECT $1, r.user_id, r.name, r.count, r.last_at
  FROM ranked r LEFT JOIN held ON held.user_id = r.user_id
  WHERE r.known OR coalesce(held.names, 0) + r.n <= $6
  ORDER BY r.user_id, r.name
  ON CONFLICT (app_id, user_id, name) DO UPDATE SET
    count = s.count + EXCLUDED.count,
    last_at = GREATEST(s.last_at, EXCLUDED.last_at)`;

// In batch order: the bigserial id is what "most recent" means.
const INSERT_EVENTS = `
  INSERT INTO banner_events
    (app_id, user_id, name, time_ms, received_at, render_id, experiment_id, variation_id, value)
  SELECT $1, t.user_id, t.name, t.time_ms, t.received_at, t.render_id, t.experiment_id, t.variation_id, t.value
  FROM unnest($2::text[], $3::text[], $4::bigint[], $5::timestamptz[], $6::text[], $7::text[], $8::int[],
      $9::float8[])
    WITH ORDINALITY AS t(user_id, name, time_ms, received_at, render_id, experiment_id, variation_id, value, ord)
  ORDER BY t.ord`;

// Each event of a name the user has a counter of (COUNT_NAMES ran before) is credited to
// every assignment of its user whose window holds the time it happened: at or after the
// assignment, before the user's assignment in a later bucket version of the experiment and
// before the version's end. Its value (0 for none) adds to the sum; the row makes the user
// a converter. Rows in key order, as above; the user rows locked first serialize this per user.
const CREDIT = `
  INSERT INTO banner_assignment_values AS v
    (app_id, experiment_id, bucket_version, user_id, name, value_sum)
  SELECT a.app_id, a.experiment_id, a.bucket_version, a.user_id, t.name, sum(coalesce(t.value, 0))
  FROM unnest($2::text[], $3::text[], $4::float8[], $5::timestamptz[]) AS t(user_id, name, value, at)
  JOIN banner_event_stats s ON s.app_id = $1 AND s.user_id = t.user_id AND s.name = t.name
  JOIN banner_assignments a ON a.app_id = $1 AND a.user_id = t.user_id AND a.assigned_at <= t.at
  WHERE NOT EXISTS (
      SELECT 1 FROM banner_assignments n
      WHERE n.app_id = $1 AND n.user_id = a.user_id AND n.experiment_id = a.experiment_id
        AND n.bucket_version > a.bucket_version AND n.assigned_at <= t.at
    ) AND NOT EXISTS (
      SELECT 1 FROM banner_experiment_ends e
      WHERE e.app_id = $1 AND e.experiment_id = a.experiment_id
        AND e.bucket_version >= a.bucket_version AND e.ended_at <= t.at
    )
  GROUP BY a.app_id, a.experiment_id, a.bucket_version, a.user_id, t.name
  ORDER BY a.experiment_id, a.bucket_version, a.user_id, t.name
  ON CONFLICT (app_id, experiment_id, bucket_version, user_id, name) DO UPDATE SET
    value_sum = v.value_sum + EXCLUDED.value_sum`;

const TRIM_EVENTS = `
  DELETE FROM banner_events e USING (
    SELECT id FROM (
      SELECT id, row_number() OVER (PARTITION BY user_id ORDER BY id DESC) AS n
      FROM banner_events WHERE app_id = $1 AND user_id = ANY($2::text[])
    ) ranked WHERE n > $3
  ) old
  WHERE e.id = old.id`;

/** Stores a tracked batch in the caller's transaction: five statements whatever its size. */
export async function trackBatch(
  c: PoolClient,
  appId: string,
  events: readonly TrackedEvent[],
): Promise<void> {
  const { users, stats } = totals(events);
  const ids = [...users.keys()];
  const u = [...users.values()];
  await c.query(COUNT_USERS, [
    appId,
    ids,
    u.map((x) => x.firstAt),
    u.map((x) => x.events),
    u.map((x) => x.purchases),
    u.map((x) => x.lastEventAt),
    u.map((x) => x.lastPurchaseAt),
  ]);
  await c.query(COUNT_NAMES, [
    appId,
    stats.map((s) => s.userId),
    stats.map((s) => s.name),
    stats.map((s) => s.count),
    stats.map((s) => s.lastAt),
    EVENT_NAMES_PER_USER,
  ]);
  await c.query(INSERT_EVENTS, [
    appId,
    events.map((e) => e.userId),
    events.map((e) => e.name),
    events.map((e) => e.time),
    events.map((e) => new Date(e.receivedAt).toISOString()),
    events.map((e) => e.renderId),
    events.map((e) => e.experimentId),
    events.map((e) => e.variationId),
    events.map((e) => e.value),
  ]);
  await c.query(CREDIT, [
    appId,
    events.map((e) => e.userId),
    events.map((e) => e.name),
    events.map((e) => e.value),
    events.map(conversionAt),
  ]);
  await c.query(TRIM_EVENTS, [appId, ids, RECENT_EVENTS_PER_USER]);
}
