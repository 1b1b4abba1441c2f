import type { JourneysSpec } from './journeys-schema.js';

/**
 * The documented GamifyHost definitions, used for any section an app's Journeys files
 * leave out. Precedence is explicit (first matching stage wins) and the catch-all
 * closes the vendor's gaps: a user last seen 7–14 days ago who is neither engaged nor
 * a power user stays `active` (offerd's decision; the vendor leaves it undefined and
 * defines `at_risk` as 14–30 days unseen, so nobody is at risk before 14 days).
 */
export const DEFAULT_JOURNEYS: Required<Pick<JourneysSpec, 'lifecycle' | 'tiers' | 'score' | 'churnRisk'>> & {
  limits: Required<NonNullable<JourneysSpec['limits']>>;
} = {
  lifecycle: {
    stages: [
      {
        id: 'churned',
        description: 'last seen more than 30 days ago',
        conditions: { fact: 'profile.daysSinceLastSeen', operator: 'greaterThan', value: 30 },
      },
      {
        id: 'at_risk',
        description: 'last seen 14–30 days ago',
        conditions: { fact: 'profile.daysSinceLastSeen', operator: 'greaterThanInclusive', value: 14 },
      },
      {
        id: 'power_user',
        description: '30+ plays in 30 days and engagement score 70+',
        conditions: {
          all: [
            { fact: 'profile.plays30d', operator: 'greaterThanInclusive', value: 30 },
            { fact: 'profile.engagementScore', operator: 'greaterThanInclusive', value: 70 },
          ],
        },
      },
      {
        id: 'engaged',
        description: '10+ plays in 30 days and at least one campaign',
        conditions: {
          all: [
            { fact: 'profile.plays30d', operator: 'greaterThanInclusive', value: 10 },
            { fact: 'profile.campaignsJoined', operator: 'greaterThanInclusive', value: 1 },
          ],
        },
      },
      {
        id: 'new',
        description: 'first seen within 7 days, 3 events or fewer',
        conditions: {
          all: [
            { fact: 'profile.daysSinceFirstSeen', operator: 'lessThan', value: 7 },
            { fact: 'profile.totalEvents', operator: 'lessThanInclusive', value: 3 },
          ],
        },
      },
      {
        id: 'active',
        description: 'seen within 14 days (and not new); 7–14 days is the vendor’s gap, resolved here',
        conditions: { fact: 'profile.daysSinceLastSeen', operator: 'lessThan', value: 14 },
      },
    ],
    default: 'active',
  },
  tiers: {
    fact: 'profile.plays30d',
    bands: [
      { id: 'casual', description: 'fewer than 5 plays in 30 days', below: 5 },
      { id: 'regular', description: '5–14 plays', below: 15 },
      { id: 'power_user', description: '15–50 plays', atMost: 50 },
      { id: 'whale', description: 'more than 50 plays' },
    ],
  },
  score: {
    recency: { weight: 30, cap: 30 },
    frequency: { weight: 30, cap: 30 },
    monetary: { weight: 20, cap: 1000 },
    breadth: { weight: 20, cap: 5 },
  },
  churnRisk: {
    factors: [
      {
        id: 'away-7d',
        weight: 20,
        conditions: { fact: 'profile.daysSinceLastSeen', operator: 'greaterThanInclusive', value: 7 },
      },
      {
        id: 'away-14d',
        weight: 40,
        conditions: { fact: 'profile.daysSinceLastSeen', operator: 'greaterThanInclusive', value: 14 },
      },
      {
        id: 'away-30d',
        weight: 20,
        conditions: { fact: 'profile.daysSinceLastSeen', operator: 'greaterThan', value: 30 },
      },
      { id: 'no-plays-7d', weight: 10, conditions: { fact: 'profile.plays7d', operator: 'equal', value: 0 } },
      {
        id: 'low-engagement',
        weight: 10,
        conditions: { fact: 'profile.engagementScore', operator: 'lessThan', value: 30 },
      },
    ],
  },
  limits: { maxActiveOffers: 3, maxActivePerType: 1, inactivityDays: 60 },
};
