import type { EventTotals, WindowStarts } from '../domain/profile-aggregates.js';
import type { SummedAt } from './held-event-totals.js';
import type { Row } from './journeys-postgres-rows.js';

/**
 * eventTotals (domain/profile-aggregates.ts) as one aggregate over a user's events, so a
 * profile read or the generation job fetches one row per user instead of every event.
 * The window starts are windowStarts(now): an event is in a window while it is later than
 * the window's start, as in eventTotals. Instants come back as epoch milliseconds (the API
 * stores millisecond instants).
 *
 * A campaign is `metadata.campaignId` when it is a string or a number, else the event
 * itself (campaignKey). A number is keyed by its JSON text as stored: the same text as
 * JavaScript's `String(n)` except in exponent notation (|n| ≥ 1e21 or < 1e-6), where a
 * numeric id and a string id spelled as the other notation would count once in one
 * store and twice in the other.
 *
 * `since7d` and `since30d` name the parameters that hold the window starts.
 */
function totalsColumns(since7d: string, since30d: string): string {
  return `
    floor(extract(epoch FROM min(occurred_at)) * 1000)::float8 AS first_at,
    floor(extract(epoch FROM max(occurred_at)) * 1000)::float8 AS last_at,
    count(*)::int AS events,
    count(*) FILTER (WHERE category = 'GAME_PLAY')::int AS plays,
    count(*) FILTER (WHERE category = 'GAME_PLAY' AND occurred_at > ${since7d})::int AS plays7d,
    count(*) FILTER (WHERE category = 'GAME_PLAY' AND occurred_at > ${since30d})::int AS plays30d,
    count(*) FILTER (WHERE category = 'GAME_PLAY' AND metadata -> 'won' = 'true'::jsonb)::int AS wins,
    coalesce(sum(greatest(points, 0)), 0)::float8 AS points,
    coalesce(sum(greatest(points, 0)) FILTER (WHERE occurred_at > ${since7d}), 0)::float8 AS points7d,
    coalesce(sum(greatest(points, 0)) FILTER (WHERE occurred_at > ${since30d}), 0)::float8 AS points30d,
    count(DISTINCT CASE WHEN category = 'CAMPAIGN' THEN
      CASE WHEN jsonb_typeof(metadata -> 'campaignId') IN ('string', 'number')
        THEN 'c:' || (metadata ->> 'campaignId') ELSE 'e:' || id END
    END)::int AS campaigns`;
}

/**
 * One user's totals: $1 app, $2 environment, $3 external id, $4 and $5 the window starts;
 * no row for a user never stored. With the user's events version, and the earliest instant
 * in each window (when the windows next lose an event). $6 is the events version whose
 * totals the caller holds (null: none): when it is the stored one, the events are not read
 * (`summed` false; the one-time filter skips their scan), so a user with 200,000 events
 * costs an index read, not ~80 ms of the database's CPU.
 */
export const USER_EVENT_TOTALS = `
  SELECT u.events_version::text AS events_version,
    u.events_version IS DISTINCT FROM $6::bigint AS summed, t.*
  FROM journeys_users u
  CROSS JOIN LATERAL (
    SELECT ${totalsColumns('$4', '$5')},
      floor(extract(epoch FROM min(occurred_at) FILTER (WHERE occurred_at > $4)) * 1000)::float8 AS first_in7d,
      floor(extract(epoch FROM min(occurred_at) FILTER (WHERE occurred_at > $5)) * 1000)::float8 AS first_in30d
    FROM journeys_events e
    WHERE e.app_id = u.app_id AND e.environment = u.environment AND e.external_id = u.external_id
      AND u.events_version IS DISTINCT FROM $6::bigint
  ) t
  WHERE u.app_id = $1 AND u.environment = $2 AND u.external_id = $3`;

/**
 * The totals of every user with events in a key range (the generation job's batch,
 * external_id in ($3, $4]), one row per user: $5 and $6 the window starts. One index range
 * read, grouped as it comes in key order; a user without events has no row.
 */
export const RANGE_EVENT_TOTALS = `
  SELECT external_id, ${totalsColumns('$5', '$6')}
  FROM journeys_events
  WHERE app_id = $1 AND environment = $2 AND external_id > $3 AND external_id <= $4
  GROUP BY external_id`;

/** The window starts as the two timestamptz parameters the queries above compare with. */
export const windowParams = (w: WindowStarts): [Date, Date] => [new Date(w.since7d), new Date(w.since30d)];

const instant = (v: unknown): number | null => (v === null ? null : Number(v));

export function toEventTotals(r: Row): EventTotals {
  return {
    firstAt: instant(r.first_at),
    lastAt: instant(r.last_at),
    events: Number(r.events),
    plays: Number(r.plays),
    plays7d: Number(r.plays7d),
    plays30d: Number(r.plays30d),
    wins: Number(r.wins),
    points: Number(r.points),
    points7d: Number(r.points7d),
    points30d: Number(r.points30d),
    campaigns: Number(r.campaigns),
  };
}

/** When a USER_EVENT_TOTALS row was summed (HeldEventTotals.keep), `at` the read's clock. */
export const summedAt = (r: Row, at: number): SummedAt => ({
  version: String(r.events_version),
  at,
  firstIn7d: instant(r.first_in7d),
  firstIn30d: instant(r.first_in30d),
});
