/**
 * The facts the journeys API gives its rules. `profile.*`: the aggregates, the engagement
 * score and, after classification, the stage, tier and churn risk; `user.*`: what the
 * client stored (tags and metadata reached as `user.tags.<key>`); `segments`: the ids of
 * the matched segments.
 */
export const AGGREGATE_FACTS = [
  'firstSeenAt',
  'lastSeenAt',
  'daysSinceFirstSeen',
  'daysSinceLastSeen',
  'totalEvents',
  'totalPlays',
  'plays7d',
  'plays30d',
  'wins',
  'winRate',
  'pointsEarned7d',
  'pointsEarned30d',
  'totalPointsEarned',
  'campaignsJoined',
  'engagementScore',
  'activeOffers',
  'activeOfferTypes',
] as const;

/** Known only after classification: decision rules may use them, classification rules may not. */
export const CLASSIFIED_FACTS = ['lifecycleStage', 'engagementTier', 'churnRisk'] as const;

export const USER_FACTS = [
  'externalId',
  'displayName',
  'email',
  'phone',
  'country',
  'device',
  'source',
  'tags',
  'metadata',
  'createdAt',
] as const;
