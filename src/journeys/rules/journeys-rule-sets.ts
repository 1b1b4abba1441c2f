import type { Condition, FactCondition } from '../../rules/engine/conditions.js';
import { RuleSet, type RuleSpec } from '../../rules/engine/rule-set.js';
import { type SegmentCatalog, segmentsUsedBy } from '../../rules/segment-catalog.js';
import type { OfferLimits } from '../domain/journey-types.js';
import type { OfferTrigger } from '../domain/offer-planner.js';
import type { Classification, Decision, JourneysRules, RecommendationRule } from './journeys-rules.js';
import type { JourneysSpec } from './journeys-schema.js';

/** The checked sections of an app's Journeys rules, before their RuleSets are built. */
export interface JourneysParts {
  lifecycle: NonNullable<JourneysSpec['lifecycle']>;
  tiers: NonNullable<JourneysSpec['tiers']>;
  score: NonNullable<JourneysSpec['score']>;
  churn: NonNullable<JourneysSpec['churnRisk']>;
  limits: OfferLimits;
  recommendations: { rule: RecommendationRule; when: Condition }[];
  triggers: { trigger: OfferTrigger; when: Condition }[];
}

type Band = JourneysParts['tiers']['bands'][number];

/**
 * A band's range as a condition. Bands are ordered and first match wins, but each
 * still states both of its bounds so a trace reads on its own; a value that fits no
 * band (the fact is missing) takes the lowest band.
 */
function bandCondition(fact: string, bands: readonly Band[], i: number): Condition {
  const band = bands[i] as Band;
  const prev = bands[i - 1];
  const leaves: FactCondition[] = [];
  if (prev?.below !== undefined) leaves.push({ fact, operator: 'greaterThanInclusive', value: prev.below });
  if (prev?.atMost !== undefined) leaves.push({ fact, operator: 'greaterThan', value: prev.atMost });
  if (band.below !== undefined) leaves.push({ fact, operator: 'lessThan', value: band.below });
  if (band.atMost !== undefined) leaves.push({ fact, operator: 'lessThanInclusive', value: band.atMost });
  return { all: leaves };
}

function classificationSpecs(parts: JourneysParts): RuleSpec<Classification>[] {
  const { lifecycle, tiers, churn } = parts;
  return [
    ...lifecycle.stages.map((s, i) => ({
      id: `stage:${s.id}`,
      priority: lifecycle.stages.length - i,
      when: s.conditions,
      data: { kind: 'stage' as const, id: s.id },
    })),
    ...(tiers.bands.length > 1 ? tiers.bands : []).map((b, i) => ({
      id: `tier:${b.id}`,
      priority: tiers.bands.length - i,
      when: bandCondition(tiers.fact, tiers.bands, i),
      data: { kind: 'tier' as const, id: b.id },
    })),
    ...churn.factors.map((f) => ({
      id: `churn:${f.id}`,
      priority: 0,
      when: f.conditions,
      data: { kind: 'churn' as const, id: f.id, weight: f.weight },
    })),
  ];
}

function decisionSpecs(parts: JourneysParts): RuleSpec<Decision>[] {
  return [
    ...parts.recommendations.map(({ rule, when }) => ({
      id: `recommendation:${rule.id}`,
      priority: 0,
      when,
      data: Object.freeze({ kind: 'recommendation' as const, recommendation: Object.freeze(rule) }),
    })),
    ...parts.triggers.map(({ trigger, when }) => ({
      id: `offer:${trigger.offerType}`,
      priority: trigger.priority,
      when,
      data: Object.freeze({ kind: 'offer' as const, trigger }),
    })),
  ];
}

/** Builds the RuleSets once per rules load; the result is frozen and shared by every request. */
export function buildJourneysRules(parts: JourneysParts, catalog: SegmentCatalog): JourneysRules {
  const decide = decisionSpecs(parts);
  const used = segmentsUsedBy(
    decide.map((d) => d.when),
    catalog,
  );
  return Object.freeze({
    score: Object.freeze({ ...parts.score }),
    limits: Object.freeze({ ...parts.limits }),
    stages: Object.freeze(parts.lifecycle.stages.map((s) => s.id)),
    defaultStage: parts.lifecycle.default,
    tierFact: parts.tiers.fact,
    tiers: Object.freeze(parts.tiers.bands.map((b) => b.id)),
    classify: RuleSet.build(classificationSpecs(parts), 'fact', undefined, catalog.stats),
    decide: RuleSet.build(decide, 'fact', undefined, catalog.stats),
    segments: used.size > 0 ? catalog.forIds(used) : null,
    triggers: Object.freeze(parts.triggers.map((t) => t.trigger)),
  });
}
