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

type EventFacts = Pick<JourneyEvent, 'id' | 'category' | 'points' | 'occurredAt' | 'metadata'>;

/** A play is won when the client says so in `metadata.won`. */
function isWin(e: EventFacts): boolean {
  return e.metadata.won === true;
}

/** A campaign is named by `metadata.campaignId`; a CAMPAIGN event without one counts on its own. */
function campaignKey(e: EventFacts): string {
  const id = e.metadata.campaignId;
  return typeof id === 'string' || typeof id === 'number' ? `c:${id}` : `e:${e.id}`;
}

/**
 * Aggregates over all of a user's events. First seen is the earlier of the user's
 * creation and the first event; last seen is the later of the latest event and the
 * last identify (`POST /users`, the profile's `updatedAt`): re-identifying is activity,
 * and importing backdated history can never move last seen back (nor make a new player churned).
 */
export function aggregateProfile(
  user: Pick<JourneyUser, 'createdAt' | 'updatedAt'>,
  events: readonly EventFacts[],
  now: Date,
): ProfileAggregates {
  const t = now.getTime();
  const created = Date.parse(user.createdAt);
  let first = created;
  let last = Math.max(created, Date.parse(user.updatedAt));
  const a = { totalPlays: 0, plays7d: 0, plays30d: 0, wins: 0, points7d: 0, points30d: 0, points: 0 };
  const campaigns = new Set<string>();
  for (const e of events) {
    const at = Date.parse(e.occurredAt);
    if (at < first) first = at;
    if (at > last) last = at;
    const age = t - at;
    const earned = Math.max(e.points, 0);
    a.points += earned;
    if (age < 30 * DAY_MS) a.points30d += earned;
    if (age < 7 * DAY_MS) a.points7d += earned;
    if (e.category === CAMPAIGN_CATEGORY) campaigns.add(campaignKey(e));
    if (e.category !== GAME_PLAY_CATEGORY) continue;
    a.totalPlays++;
    if (isWin(e)) a.wins++;
    if (age < 30 * DAY_MS) a.plays30d++;
    if (age < 7 * DAY_MS) a.plays7d++;
  }
  return {
    firstSeenAt: new Date(first).toISOString(),
    lastSeenAt: new Date(last).toISOString(),
    daysSinceFirstSeen: Math.max(0, (t - first) / DAY_MS),
    daysSinceLastSeen: Math.max(0, (t - last) / DAY_MS),
    totalEvents: events.length,
    totalPlays: a.totalPlays,
    plays7d: a.plays7d,
    plays30d: a.plays30d,
    wins: a.wins,
    winRate: a.totalPlays === 0 ? 0 : Math.round((a.wins / a.totalPlays) * 10_000) / 10_000,
    pointsEarned7d: a.points7d,
    pointsEarned30d: a.points30d,
    totalPointsEarned: a.points,
    campaignsJoined: campaigns.size,
  };
}
