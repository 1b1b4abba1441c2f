import type { EventTotals } from '../domain/profile-aggregates.js';
import type { Row } from './journeys-postgres-rows.js';

/**
 * eventTotals (domain/profile-aggregates.ts) as one aggregate over a user's events, so a
 * profile read fetches one row instead of every event. $4 and $5 are windowStarts(now):
 * an event is in a window while it is later than the window's start, as in eventTotals.
 * Instants come back as epoch milliseconds (the API stores millisecond instants).
 *
 * A campaign is `metadata.campaignId` when it is a string or a number, else the event
 * itself (campaignKey). A number is keyed by its JSON text as stored: the same text as
 * JavaScript's `String(n)` except in exponent notation (|n| ≥ 1e21 or < 1e-6), where a
 * numeric id and a string id spelled as the other notation would count once in one
 * store and twice in the other.
 */
export const EVENT_TOTALS = `
  SELECT
    floor(extract(epoch FROM min(occurred_at)) * 1000)::float8 AS first_at,
    floor(extract(epoch FROM max(occurred_at)) * 1000)::float8 AS last_at,
    count(*)::int AS events,
    count(*) FILTER (WHERE category = 'GAME_PLAY')::int AS plays,
    count(*) FILTER (WHERE category = 'GAME_PLAY' AND occurred_at > $4)::int AS plays7d,
    count(*) FILTER (WHERE category = 'GAME_PLAY' AND occurred_at > $5)::int AS plays30d,
    count(*) FILTER (WHERE category = 'GAME_PLAY' AND metadata -> 'won' = 'true'::jsonb)::int AS wins,
    coalesce(sum(greatest(points, 0)), 0)::float8 AS points,
    coalesce(sum(greatest(points, 0)) FILTER (WHERE occurred_at > $4), 0)::float8 AS points7d,
    coalesce(sum(greatest(points, 0)) FILTER (WHERE occurred_at > $5), 0)::float8 AS points30d,
    count(DISTINCT CASE WHEN category = 'CAMPAIGN' THEN
      CASE WHEN jsonb_typeof(metadata -> 'campaignId') IN ('string', 'number')
        THEN 'c:' || (metadata ->> 'campaignId') ELSE 'e:' || id END
    END)::int AS campaigns
  FROM journeys_events
  WHERE app_id = $1 AND environment = $2 AND external_id = $3`;

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
