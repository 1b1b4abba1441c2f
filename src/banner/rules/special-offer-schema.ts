import type { Condition } from '../../rules/engine/conditions.js';
import { idSchema } from '../../rules/schemas/common.js';

/**
 * `specialOffers:` of a Banner file — what `getSpecialOffer(trigger, …)` (POST /feature,
 * featureName `special_offer_on_<trigger>`) answers. docs/special-offers.md explains each field.
 */
export const specialOfferSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'trigger', 'title', 'image'],
  properties: {
    id: idSchema,
    description: { type: 'string' },
    trigger: idSchema,
    priority: { type: 'integer', minimum: -1000, maximum: 1000 },
    when: { $ref: '#/$defs/condition' },
    experiment: idSchema,
    variations: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'integer', minimum: 1 } },
    title: { type: 'string', minLength: 1, maxLength: 200 },
    image: { type: 'string', minLength: 1 },
    productId: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$' },
    price: { type: 'number', minimum: 0 },
    originalPrice: { type: 'number', exclusiveMinimum: 0 },
    currency: { type: 'string', pattern: '^[A-Z]{3}$' },
    expiresInMinutes: { type: 'integer', minimum: 1, maximum: 525_600 },
    cooldownMinutes: { type: 'integer', minimum: 0, maximum: 525_600 },
    maxPerUser: { type: 'integer', minimum: 1 },
  },
} as const;

export interface SpecialOfferSpec {
  id: string;
  description?: string;
  trigger: string;
  priority?: number;
  when?: Condition;
  experiment?: string;
  variations?: number[];
  title: string;
  image: string;
  productId?: string;
  price?: number;
  originalPrice?: number;
  currency?: string;
  expiresInMinutes?: number;
  cooldownMinutes?: number;
  maxPerUser?: number;
}
