import type { Condition } from '../../rules/engine/conditions.js';
import { idSchema, ruleFileSchema } from '../../rules/schemas/common.js';
import { type SpecialOfferSpec, specialOfferSchema } from './special-offer-schema.js';

/** The largest bucket version: PostgreSQL's integer, the type of every bucket_version column. */
export const MAX_BUCKET_VERSION = 2_147_483_647;

const languageSchema = { type: 'string', pattern: '^[a-z]{2}$' } as const;
const prizeKeySchema = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$' } as const;
const prizeTypeSchema = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$' } as const;
const languagesSchema = { type: 'array', minItems: 1, uniqueItems: true, items: languageSchema } as const;

const variationSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'weight'],
  properties: {
    id: { type: 'integer', minimum: 0, maximum: 1000 },
    name: { type: 'string', minLength: 1 },
    description: { type: 'string' },
    weight: { type: 'number', minimum: 0 },
  },
} as const;

/** An event name offerd counts conversions of (the SDK's names: letters, digits, `_ . : $ -`). */
const metricSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['event'],
  properties: {
    event: { type: 'string', minLength: 1, maxLength: 128 },
    /** The event's numeric property summed as revenue per user (primary metric only). */
    value: { type: 'string', minLength: 1, maxLength: 128 },
  },
} as const;

const metricsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['primary'],
  properties: {
    primary: metricSchema,
    secondary: { type: 'array', items: metricSchema },
  },
} as const;

const experimentSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'status', 'variations'],
  properties: {
    id: idSchema,
    description: { type: 'string' },
    status: { enum: ['running', 'paused', 'stopped'] },
    // At most PostgreSQL's integer (the assignments' bucket_version column): a larger one
    // validated, then failed every render's assignment write on that store.
    bucketVersion: { type: 'integer', minimum: 1, maximum: MAX_BUCKET_VERSION },
    hashVersion: { enum: [1, 2] },
    controlBanner: { type: 'boolean' },
    metrics: metricsSchema,
    trafficAllocation: { type: 'number', minimum: 0, maximum: 100 },
    occasion: idSchema,
    eligibility: { $ref: '#/$defs/condition' },
    variations: { type: 'array', minItems: 2, items: variationSchema },
  },
} as const;

const bannerRuleSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'image'],
  properties: {
    id: idSchema,
    description: { type: 'string' },
    experiment: idSchema,
    variations: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'integer', minimum: 0 } },
    prizeKeys: { type: 'array', minItems: 1, uniqueItems: true, items: prizeKeySchema },
    prizeTypes: { type: 'array', minItems: 1, uniqueItems: true, items: prizeTypeSchema },
    when: { $ref: '#/$defs/condition' },
    image: { type: 'string', minLength: 1 },
    languages: languagesSchema,
  },
} as const;

const settingsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['defaultPrizeKey', 'prizeTypes', 'defaultBanner'],
  properties: {
    defaultPrizeKey: prizeKeySchema,
    prizeTypes: { type: 'array', minItems: 1, uniqueItems: true, items: prizeTypeSchema },
    languages: languagesSchema,
    fallbackLanguage: languageSchema,
    unknownCountry: { type: 'string', pattern: '^[A-Z]{2}$' },
    defaultBanner: {
      type: 'object',
      additionalProperties: false,
      required: ['image'],
      properties: { image: { type: 'string', minLength: 1 }, languages: languagesSchema },
    },
  },
} as const;

/**
 * kind: Banner — the personal-offers API of an app: settings (default prize, the
 * prizeTypes enum, languages, the default banner), experiments and banner rules.
 * Several Banner files merge (in file-name order); exactly one carries `settings`.
 */
export const bannerFileSchema = ruleFileSchema('Banner', {
  type: 'object',
  additionalProperties: false,
  properties: {
    settings: settingsSchema,
    experiments: { type: 'array', items: experimentSchema },
    banners: { type: 'array', items: bannerRuleSchema },
    specialOffers: { type: 'array', items: specialOfferSchema },
  },
});

export interface VariationSpec {
  id: number;
  name?: string;
  description?: string;
  weight: number;
}

export interface MetricSpec {
  event: string;
  value?: string;
}

export interface ExperimentSpec {
  id: string;
  description?: string;
  status: 'running' | 'paused' | 'stopped';
  bucketVersion?: number;
  hashVersion?: 1 | 2;
  controlBanner?: boolean;
  metrics?: { primary: MetricSpec; secondary?: MetricSpec[] };
  trafficAllocation?: number;
  occasion?: string;
  eligibility?: Condition;
  variations: VariationSpec[];
}

export interface BannerRuleSpec {
  id: string;
  description?: string;
  experiment?: string;
  variations?: number[];
  prizeKeys?: string[];
  prizeTypes?: string[];
  when?: Condition;
  image: string;
  languages?: string[];
}

export interface BannerSettingsSpec {
  defaultPrizeKey: string;
  prizeTypes: string[];
  languages?: string[];
  fallbackLanguage?: string;
  unknownCountry?: string;
  defaultBanner: { image: string; languages?: string[] };
}

export interface BannerSpec {
  settings?: BannerSettingsSpec;
  experiments?: ExperimentSpec[];
  banners?: BannerRuleSpec[];
  specialOffers?: SpecialOfferSpec[];
}
