import type { RuleSet } from '../../rules/engine/rule-set.js';
import type { SegmentEvaluator } from '../../rules/segment-catalog.js';
import type { ScoreModel } from '../domain/engagement-score.js';
import type { OfferLimits } from '../domain/journey-types.js';
import type { OfferTrigger } from '../domain/offer-planner.js';
import type { TextTemplate } from '../domain/text-template.js';
import type { RecommendationPriority } from './journeys-schema.js';

/** What a classification rule decides when it matches. */
export type Classification =
  | { kind: 'stage'; id: string }
  | { kind: 'tier'; id: string }
  | { kind: 'churn'; id: string; weight: number };

export interface RecommendationRule {
  id: string;
  priority: RecommendationPriority;
  name: TextTemplate;
  reason: TextTemplate;
}

/** What a decision rule carries: a recommendation, or an offer type's trigger. */
export type Decision =
  | { kind: 'recommendation'; recommendation: RecommendationRule }
  | { kind: 'offer'; trigger: OfferTrigger };

/**
 * One app's compiled Journeys rules. Per user, `classify` runs once over the profile
 * aggregates and engagement score (stage, tier, churn factors); then the segments the
 * decisions need run once over the completed profile; then `decide` runs once
 * (recommendations and offer triggers).
 */
export interface JourneysRules {
  readonly score: ScoreModel;
  readonly limits: OfferLimits;
  readonly stages: readonly string[];
  readonly defaultStage: string;
  readonly tierFact: string;
  readonly tiers: readonly string[];
  readonly classify: RuleSet<Classification>;
  readonly decide: RuleSet<Decision>;
  /** Null when no decision rule references a segment. */
  readonly segments: SegmentEvaluator | null;
  readonly triggers: readonly OfferTrigger[];
}
