import type { Condition } from '../../rules/engine/conditions.js';
import { idSchema, ruleFileSchema } from '../../rules/schemas/common.js';
import { DURATION_PATTERN } from '../domain/duration.js';

const condition = { $ref: '#/$defs/condition' } as const;
const text = { type: 'string', minLength: 1, maxLength: 500 } as const;
const duration = { type: 'string', pattern: DURATION_PATTERN } as const;
const component = {
  type: 'object',
  additionalProperties: false,
  required: ['weight', 'cap'],
  properties: {
    weight: { type: 'number', minimum: 0, maximum: 100 },
    cap: { type: 'number', exclusiveMinimum: 0 },
  },
} as const;

const lifecycle = {
  type: 'object',
  additionalProperties: false,
  required: ['stages', 'default'],
  properties: {
    stages: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'conditions'],
        properties: { id: idSchema, description: { type: 'string' }, conditions: condition },
      },
    },
    default: { ...idSchema, description: 'the stage of a user no rule matched (the catch-all)' },
  },
} as const;

const tiers = {
  type: 'object',
  additionalProperties: false,
  required: ['fact', 'bands'],
  properties: {
    fact: { type: 'string', pattern: '^profile\\.[A-Za-z0-9_]+$' },
    bands: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id'],
        properties: {
          id: idSchema,
          description: { type: 'string' },
          below: { type: 'number', description: 'upper bound, exclusive' },
          atMost: { type: 'number', description: 'upper bound, inclusive' },
        },
      },
    },
  },
} as const;

const score = {
  type: 'object',
  additionalProperties: false,
  required: ['recency', 'frequency', 'monetary', 'breadth'],
  properties: { recency: component, frequency: component, monetary: component, breadth: component },
} as const;

const churnRisk = {
  type: 'object',
  additionalProperties: false,
  required: ['factors'],
  properties: {
    factors: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'weight', 'conditions'],
        properties: {
          id: idSchema,
          description: { type: 'string' },
          weight: { type: 'number', minimum: -100, maximum: 100 },
          conditions: condition,
        },
      },
    },
  },
} as const;

const limits = {
  type: 'object',
  additionalProperties: false,
  properties: {
    maxActiveOffers: { type: 'integer', minimum: 1, maximum: 100 },
    maxActivePerType: { type: 'integer', minimum: 1, maximum: 100 },
    inactivityDays: { type: 'number', exclusiveMinimum: 0 },
  },
} as const;

const recommendation = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'priority', 'name', 'reason', 'conditions'],
  properties: {
    id: idSchema,
    priority: { enum: ['high', 'medium', 'low'] },
    name: text,
    reason: text,
    conditions: condition,
  },
} as const;

const offer = {
  type: 'object',
  additionalProperties: false,
  required: ['offerType', 'priority', 'conditions', 'title', 'description', 'pointsValue', 'expiresIn'],
  properties: {
    offerType: idSchema,
    description: text,
    priority: { type: 'integer', minimum: 0, maximum: 1000 },
    conditions: condition,
    gameType: { type: ['string', 'null'], minLength: 1, maxLength: 64 },
    title: text,
    pointsValue: { type: 'integer', minimum: 0, maximum: 1_000_000 },
    expiresIn: duration,
    cooldown: duration,
    metadata: { type: 'object' },
  },
} as const;

/**
 * kind: Journeys — lifecycle stages, engagement tiers, score and churn risk, rule-defined
 * recommendations, offer triggers and the offer limits. An app may split them over
 * several files: each section but `offers` and `recommendations` appears in at most one.
 */
export const journeysSchema = ruleFileSchema('Journeys', {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    lifecycle,
    tiers,
    score,
    churnRisk,
    limits,
    recommendations: { type: 'array', items: recommendation },
    offers: { type: 'array', items: offer },
  },
});

export type RecommendationPriority = 'high' | 'medium' | 'low';

export interface JourneysSpec {
  lifecycle?: { stages: { id: string; description?: string; conditions: Condition }[]; default: string };
  tiers?: { fact: string; bands: { id: string; description?: string; below?: number; atMost?: number }[] };
  score?: Record<'recency' | 'frequency' | 'monetary' | 'breadth', { weight: number; cap: number }>;
  churnRisk?: { factors: { id: string; description?: string; weight: number; conditions: Condition }[] };
  limits?: { maxActiveOffers?: number; maxActivePerType?: number; inactivityDays?: number };
  recommendations?: {
    id: string;
    priority: RecommendationPriority;
    name: string;
    reason: string;
    conditions: Condition;
  }[];
  offers?: {
    offerType: string;
    description: string;
    priority: number;
    conditions: Condition;
    gameType?: string | null;
    title: string;
    pointsValue: number;
    expiresIn: string;
    cooldown?: string;
    metadata?: Record<string, unknown>;
  }[];
}
