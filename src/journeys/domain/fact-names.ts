import type { JourneyUser } from './journey-types.js';
import type { ProfileAggregates } from './profile-aggregates.js';

/**
 * The `profile` fact once classification is done: the aggregates, the engagement score and
 * live offers, then the stage, tier and churn risk. The API's profile is built from it, and
 * the rules' fact catalogue (rules/journeys-facts.ts) is typed against it.
 */
export interface ProfileFacts extends ProfileAggregates {
  engagementScore: number;
  activeOffers: number;
  activeOfferTypes: string[];
  lifecycleStage: string;
  engagementTier: string;
  churnRisk: number;
}

/** Known only after classification: decision rules may use them, classification rules may not. */
export const CLASSIFIED_FACTS = [
  'lifecycleStage',
  'engagementTier',
  'churnRisk',
] as const satisfies readonly (keyof ProfileFacts)[];

/** The `user` fact: what the client stored about the user (never anything computed). */
export type UserFacts = Pick<
  JourneyUser,
  | 'externalId'
  | 'displayName'
  | 'email'
  | 'phone'
  | 'country'
  | 'device'
  | 'source'
  | 'tags'
  | 'metadata'
  | 'createdAt'
>;

export function userFacts(user: JourneyUser): UserFacts {
  const { externalId, displayName, email, phone, country, device, source, tags, metadata, createdAt } = user;
  return { externalId, displayName, email, phone, country, device, source, tags, metadata, createdAt };
}
