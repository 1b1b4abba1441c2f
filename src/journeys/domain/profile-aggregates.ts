import {
  CAMPAIGN_CATEGORY,
  GAME_PLAY_CATEGORY,
  type JourneyEvent,
  type JourneyUser,
} from './journey-types.js';

export const DAY_MS = 86_400_000;

/** What a user's events say about them at one instant; every field is a rule fact under `profile`. */
export interface ProfileAggregates {
  firstSeenAt: string;
  lastSeenAt: string;
  /** Fractional days, so rule boundaries are exact (6.9 days is "within 7 days"). */
  daysSinceFirstSeen: number;
  daysSinceLastSeen: number;
  totalEvents: number;
  totalPlays: number;
  plays7d: number;
  plays30d: number;
  wins: number;
  /** Wins over plays, 0–1 (4 decimals); 0 without plays. */
  winRate: number;
  pointsEarned7d: number;
  pointsEarned30d: number;
  totalPointsEarned: number;
  campaignsJoined: number;
}

export type EventFacts = Pick<JourneyEvent, 'id' | 'category' | 'points' | 'occurredAt' | 'metadata'>;

/** A play is won when the client says so in `metadata.won`. */
export function isWin(e: EventFacts): boolean {
  return e.metadata.won === true;
}

/** A campaign is named by `metadata.campaignId`; a CAMPAIGN event without one counts on its own. */
export function campaignKey(e: EventFacts): string {
  const id = e.metadata.campaignId;
  return typeof id === 'string' || typeof id === 'number' ? `c:${id}` : `e:${e.id}`;
}

/**
 * What a user's events add up to at one instant, before the user's own timestamps are
 * taken into account: the part a store can compute where the events are (one SQL
 * aggregate on PostgreSQL) instead of handing every event to the caller. Windows are
 * open at their old end: an event counts in the last 7 days while `now - occurredAt` is
 * under 7 × 24 hours.
 */
export interface EventTotals {
  /** Epoch ms of the earliest and the latest event; null without events. */
  firstAt: number | null;
  lastAt: number | null;
  events: number;
  plays: number;
  plays7d: number;
  plays30d: number;
  wins: number;
  /** Points earned: negative amounts (spending) count as 0. */
  points: number;
  points7d: number;
  points30d: number;
  /** Distinct campaigns (see campaignKey). */
  campaigns: number;
}

/** Epoch ms: an event later than `since7d` is in the last 7 days, later than `since30d` in the last 30. */
export interface WindowStarts {
  since7d: number;
  since30d: number;
}

/** The instants before which an event falls out of the 7- and 30-day windows (exclusive). */
export function windowStarts(now: Date): WindowStarts {
  return { since7d: now.getTime() - 7 * DAY_MS, since30d: now.getTime() - 30 * DAY_MS };
}

/** The totals of a user without events (at any instant). */
export function noEventTotals(): EventTotals {
  return {
    firstAt: null,
    lastAt: null,
    events: 0,
    plays: 0,
    plays7d: 0,
    plays30d: 0,
    wins: 0,
    points: 0,
    points7d: 0,
    points30d: 0,
    campaigns: 0,
  };
}

/** The totals of `events` at `now`, in one pass. */
export function eventTotals(events: readonly EventFacts[], now: Date): EventTotals {
  const { since7d, since30d } = windowStarts(now);
  const a = noEventTotals();
  a.events = events.length;
  const campaigns = new Set<string>();
  for (const e of events) {
    const at = Date.parse(e.occurredAt);
    if (a.firstAt === null || at < a.firstAt) a.firstAt = at;
    if (a.lastAt === null || at > a.lastAt) a.lastAt = at;
    const earned = Math.max(e.points, 0);
    a.points += earned;
    if (at > since30d) a.points30d += earned;
    if (at > since7d) a.points7d += earned;
    if (e.category === CAMPAIGN_CATEGORY) campaigns.add(campaignKey(e));
    if (e.category !== GAME_PLAY_CATEGORY) continue;
    a.plays++;
    if (isWin(e)) a.wins++;
    if (at > since30d) a.plays30d++;
    if (at > since7d) a.plays7d++;
  }
  a.campaigns = campaigns.size;
  return a;
}

/**
 * The profile aggregates from the event totals. First seen is the earlier of the user's
 * creation and the first event; last seen is the later of the latest event and the
 * last identify (`POST /users`, the profile's `updatedAt`): re-identifying is activity,
 * and importing backdated history can never move last seen back (nor make a new player churned).
 */
export function profileAggregates(
  user: Pick<JourneyUser, 'createdAt' | 'updatedAt'>,
  totals: EventTotals,
  now: Date,
): ProfileAggregates {
  const t = now.getTime();
  const created = Date.parse(user.createdAt);
  const first = totals.firstAt === null ? created : Math.min(created, totals.firstAt);
  const last = Math.max(created, Date.parse(user.updatedAt), totals.lastAt ?? created);
  return {
    firstSeenAt: new Date(first).toISOString(),
    lastSeenAt: new Date(last).toISOString(),
    daysSinceFirstSeen: Math.max(0, (t - first) / DAY_MS),
    daysSinceLastSeen: Math.max(0, (t - last) / DAY_MS),
    totalEvents: totals.events,
    totalPlays: totals.plays,
    plays7d: totals.plays7d,
    plays30d: totals.plays30d,
    wins: totals.wins,
    winRate: totals.plays === 0 ? 0 : Math.round((totals.wins / totals.plays) * 10_000) / 10_000,
    pointsEarned7d: totals.points7d,
    pointsEarned30d: totals.points30d,
    totalPointsEarned: totals.points,
    campaignsJoined: totals.campaigns,
  };
}

/** Aggregates over all of a user's events (see eventTotals and profileAggregates). */
export function aggregateProfile(
  user: Pick<JourneyUser, 'createdAt' | 'updatedAt'>,
  events: readonly EventFacts[],
  now: Date,
): ProfileAggregates {
  return profileAggregates(user, eventTotals(events, now), now);
}
