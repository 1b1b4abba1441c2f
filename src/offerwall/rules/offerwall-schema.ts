import type { Condition } from '../../rules/engine/conditions.js';
import { idSchema, ruleFileSchema } from '../../rules/schemas/common.js';

const selectorProperties = {
  offerTypes: {
    type: 'array',
    minItems: 1,
    items: { type: 'integer', minimum: 0, maximum: 11 },
    description: 'offer_type values (0–11)',
  },
  categories: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
  offerIds: { type: 'array', minItems: 1, items: { type: 'integer', minimum: 1 } },
  platforms: { type: 'array', minItems: 1, items: { enum: ['desktop', 'ios', 'android'] } },
} as const;

const weight = { type: 'number', minimum: 0, maximum: 100 } as const;

/**
 * kind: Offerwall — how an app's walls filter and rank offers: ranking weights over
 * offer features, what happens to completed offers, and rules that, when their
 * condition holds for the request, exclude offers, restrict them to an allow-list or
 * boost their score.
 */
export const offerwallSchema = ruleFileSchema(
  'Offerwall',
  {
    type: 'object',
    additionalProperties: false,
    required: ['ranking'],
    properties: {
      completedOffers: { enum: ['hide', 'show'] },
      ranking: {
        type: 'object',
        additionalProperties: false,
        required: ['weights'],
        properties: {
          freshnessHalfLifeDays: { type: 'number', exclusiveMinimum: 0, maximum: 3650 },
          weights: {
            type: 'object',
            additionalProperties: false,
            required: ['epc', 'conversionRate', 'userReward', 'payout', 'freshness', 'affinity'],
            properties: {
              epc: weight,
              conversionRate: weight,
              userReward: weight,
              payout: weight,
              freshness: weight,
              affinity: weight,
            },
          },
        },
      },
      rules: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['id', 'when'],
          properties: {
            id: idSchema,
            description: { type: 'string' },
            when: { $ref: '#/$defs/condition' },
            exclude: { $ref: '#/$defs/selector' },
            allowOnly: { $ref: '#/$defs/selector' },
            boost: {
              type: 'object',
              additionalProperties: false,
              required: ['by'],
              properties: { ...selectorProperties, by: { type: 'number', minimum: -10, maximum: 10 } },
            },
          },
        },
      },
    },
  },
  {
    selector: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: selectorProperties,
    },
  },
);

type Selector = {
  offerTypes?: number[];
  categories?: string[];
  offerIds?: number[];
  platforms?: ('desktop' | 'ios' | 'android')[];
};

export interface OfferwallSpec {
  completedOffers?: 'hide' | 'show';
  ranking: {
    freshnessHalfLifeDays?: number;
    weights: {
      epc: number;
      conversionRate: number;
      userReward: number;
      payout: number;
      freshness: number;
      affinity: number;
    };
  };
  rules?: {
    id: string;
    description?: string;
    when: Condition;
    exclude?: Selector;
    allowOnly?: Selector;
    boost?: Selector & { by: number };
  }[];
}
