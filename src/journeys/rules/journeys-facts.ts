import type { CompileContext } from '../../rules/compile-context.js';
import { type Condition, forEachFactName, forEachLeaf, isSegmentRef } from '../../rules/engine/conditions.js';
import {
  COUNTRY_TEXT,
  type FactCatalogue,
  type FactSpec,
  unknownFactProblem,
} from '../../rules/fact-catalogue.js';
import type { RuleFile } from '../../rules/rule-file.js';
import type { JsonPath } from '../../rules/yaml-source.js';
import { CLASSIFIED_FACTS, type ProfileFacts, type UserFacts } from '../domain/fact-names.js';

export type Phase = 'classify' | 'decide';

type Described = Omit<FactSpec, 'name'>;

// Typed against what evaluateJourney hands the rules: a fact added there and not
// described here (or described here and gone there) fails to compile.
const PROFILE: { [K in keyof ProfileFacts]-?: Described } = {
  firstSeenAt: { type: 'ISO date-time', example: '2026-11-01T10:00:00.000Z' },
  lastSeenAt: { type: 'ISO date-time', example: '2026-11-19T10:00:00.000Z' },
  daysSinceFirstSeen: { type: 'number (fractional days)', example: 19.5 },
  daysSinceLastSeen: { type: 'number (fractional days)', example: 1.25 },
  totalEvents: { type: 'number', example: 52 },
  totalPlays: { type: 'number', example: 40 },
  plays7d: { type: 'number', example: 6 },
  plays30d: { type: 'number', example: 22 },
  wins: { type: 'number', example: 12 },
  winRate: { type: 'number 0..1', example: 0.3 },
  pointsEarned7d: { type: 'number', example: 120 },
  pointsEarned30d: { type: 'number', example: 480 },
  totalPointsEarned: { type: 'number', example: 1500 },
  campaignsJoined: { type: 'number', example: 2 },
  engagementScore: { type: 'number 0..100', example: 64 },
  activeOffers: { type: 'number', example: 1 },
  activeOfferTypes: { type: 'string[]', example: ['daily_free_spin'] },
  lifecycleStage: { type: 'string (a stage id)', example: 'active' },
  engagementTier: { type: 'string (a tier id)', example: 'regular' },
  churnRisk: { type: 'number 0..100', example: 40 },
};

const USER: { [K in keyof UserFacts]-?: Described } = {
  externalId: { type: 'string', example: 'u-1' },
  displayName: { type: 'string | null', example: 'Ada' },
  email: { type: 'string | null', example: 'ada@example.com' },
  phone: { type: 'string | null', example: null },
  country: { type: 'string | null', example: 'DE', text: COUNTRY_TEXT },
  device: { type: "'mobile' | 'desktop' | 'tablet' | null", example: 'mobile' },
  source: { type: 'string | null', example: 'organic' },
  tags: { type: 'object: key → string | number | boolean', example: { vip: true } },
  metadata: { type: 'object (the client’s own keys)', example: { level: 12 } },
  createdAt: { type: 'ISO date-time', example: '2026-11-01T10:00:00.000Z' },
};

const CLASSIFIED: ReadonlySet<string> = new Set(CLASSIFIED_FACTS.map((k) => `profile.${k}`));

const described = (root: string, specs: Record<string, Described>): FactSpec[] =>
  Object.entries(specs).map(([key, spec]) => ({ name: `${root}.${key}`, ...spec }));

/** What journeys decisions (recommendations, offer triggers, and the segments they use) can read. */
export const JOURNEYS_FACTS: FactCatalogue = {
  api: 'journeys',
  open: ['user.tags', 'user.metadata'],
  facts: [
    ...described('profile', PROFILE),
    ...described('user', USER),
    { name: 'segments', type: 'string[]', example: ['whales'] },
  ],
};

/** What classification (stages, tier bands, churn factors) can read: not what it computes, nor segments. */
const CLASSIFY_FACTS: FactCatalogue = {
  ...JOURNEYS_FACTS,
  facts: JOURNEYS_FACTS.facts.filter((f) => f.name !== 'segments' && !CLASSIFIED.has(f.name)),
};

/** Why `fact` cannot be read in `phase`, or null when it can. */
export function factProblem(fact: string, phase: Phase): string | null {
  if (phase === 'classify' && fact === 'segments')
    return 'segments are evaluated after stage, tier and churn risk';
  if (phase === 'classify' && CLASSIFIED.has(fact)) {
    return `'${fact}' is not known yet while stage, tier and churn risk are computed`;
  }
  return unknownFactProblem(phase === 'classify' ? CLASSIFY_FACTS : JOURNEYS_FACTS, fact);
}

/**
 * Checks a classification condition: its form (shared checks) and that it reads only
 * what is known before stage, tier and churn risk. Decision conditions go through the
 * shared checkFacts with JOURNEYS_FACTS, like every API's.
 */
export function checkClassifyCondition(
  ctx: CompileContext,
  file: RuleFile<unknown>,
  path: JsonPath,
  condition: Condition,
): void {
  ctx.checkCondition(file, path, condition);
  forEachLeaf(condition, [...path], (leaf, at) => {
    if (isSegmentRef(leaf)) ctx.report(file, at, 'segments are evaluated after stage, tier and churn risk');
  });
  forEachFactName(condition, [...path], (fact, at) => {
    const problem = factProblem(fact, 'classify');
    if (problem) ctx.report(file, at, problem);
  });
}
