import type { JsonSchema } from '../http/openapi/openapi-types.js';
import {
  interval,
  nullableNumber,
  revenueResult,
  sampleRatio,
  smallSampleProperties,
  smallSampleRequired,
  versusControl,
} from './experiment-statistics-schemas.js';

/**
 * The admin API's experiment bodies (list and results with their statistics), part of the
 * banner API's schemas (banner-response-schemas.ts): published in the API reference, and
 * every response of the test suite is held to them (test/helpers/openapi-check.ts).
 */

const variationResult: JsonSchema = {
  type: 'object',
  required: ['variationId', 'name', 'control', 'users', 'exposures', 'metrics', 'verdict', 'verdictReason'],
  additionalProperties: false,
  properties: {
    variationId: { type: 'integer', minimum: 0 },
    name: { type: 'string' },
    control: { type: 'boolean' },
    weight: nullableNumber,
    users: { type: 'integer', minimum: 0 },
    exposures: { type: 'integer', minimum: 0 },
    revenue: {
      oneOf: [{ type: 'null' }, revenueResult],
      description:
        'Null when the primary metric names no value property; else perUser with its 95 % interval and, for treated arms, against control.',
    },
    metrics: {
      type: 'object',
      description:
        'Per metric (primary first): converted users, rate with its 95 % Wilson interval, and against control.',
      additionalProperties: {
        type: 'object',
        required: [...smallSampleRequired, 'conversions', 'rate', 'interval', 'versusControl'],
        additionalProperties: false,
        properties: {
          ...smallSampleProperties,
          conversions: { type: 'integer', minimum: 0 },
          rate: nullableNumber,
          interval,
          versusControl: { oneOf: [{ type: 'null' }, versusControl] },
        },
      },
    },
    verdict: {
      enum: ['winning', 'losing', 'inconclusive', null],
      description:
        'On the primary metric, judging the figure `verdictOn` names; null for control or without a primary metric.',
    },
    verdictReason: {
      type: ['string', 'null'],
      description:
        'Why, with the figures the verdict rests on (or why it is withheld: a broken split, weights changed mid-experiment, too few users); null when `verdict` is [ours].',
    },
  },
};

const day = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' };
const count = { type: 'integer', minimum: 0 };

const timeline: JsonSchema = {
  type: 'object',
  description:
    'Users newly enrolled per UTC day and variation (by their assignment), from the first enrollment to today, ' +
    'the last 90 days at most; a day without enrollments is 0. Exposures have no daily series: the store keeps ' +
    'one exposure counter per variation, so a render never writes a per-day row [ours].',
  required: ['days', 'variations'],
  additionalProperties: false,
  properties: {
    days: {
      type: 'array',
      maxItems: 90,
      items: day,
      description: 'UTC days, oldest first; empty before anyone enrolled.',
    },
    variations: {
      type: 'array',
      description: 'One series per variation, in the order of `variations`.',
      items: {
        type: 'object',
        required: ['variationId', 'enrolledBefore', 'enrolled'],
        additionalProperties: false,
        properties: {
          variationId: { type: 'integer' },
          enrolledBefore: {
            ...count,
            description: 'Users enrolled before the first day shown: where the cumulative count starts.',
          },
          enrolled: {
            type: 'array',
            maxItems: 90,
            items: count,
            description: 'New users on each of `days`.',
          },
        },
      },
    },
  },
};

export const EXPERIMENT_RESPONSE_SCHEMAS: Record<string, JsonSchema> = {
  ExperimentList: {
    type: 'object',
    required: ['appId', 'rulesVersion', 'experiments'],
    additionalProperties: false,
    properties: {
      appId: { type: 'string' },
      rulesVersion: { type: 'string' },
      experiments: {
        type: 'array',
        description:
          'Every experiment of the app’s Banner rules, in rule-file order; empty without Banner rules.',
        items: {
          type: 'object',
          required: ['experimentId', 'status', 'bucketVersion', 'users'],
          additionalProperties: false,
          properties: {
            experimentId: { type: 'string' },
            description: { type: 'string' },
            status: { enum: ['running', 'paused', 'stopped'] },
            trafficAllocation: { type: 'number' },
            occasion: { type: ['string', 'null'] },
            bucketVersion: { type: 'integer', minimum: 1 },
            hashVersion: { type: 'integer', minimum: 1 },
            primaryMetric: { type: ['string', 'null'] },
            users: {
              type: 'integer',
              minimum: 0,
              description: 'Users assigned at the current bucket version.',
            },
            startedAt: { type: ['string', 'null'], format: 'date-time' },
          },
        },
      },
    },
  },
  ExperimentResults: {
    type: 'object',
    required: [
      'appId',
      'rulesVersion',
      'experimentId',
      'status',
      'bucketVersion',
      'users',
      'primaryMetric',
      'sampleRatio',
      'sampleRatioReason',
      'verdictOn',
      'splits',
      'comparisonsWithheld',
      'variations',
      'armVersusArm',
      'timeline',
    ],
    additionalProperties: false,
    properties: {
      appId: { type: 'string' },
      rulesVersion: { type: 'string' },
      experimentId: { type: 'string' },
      status: {
        enum: ['running', 'paused', 'stopped'],
        description:
          'The experiment’s status in the rules; `endedAt` says whether this bucket version still runs.',
      },
      endedAt: {
        type: ['string', 'null'],
        format: 'date-time',
        description:
          'When this bucket version ended (the experiment stopped, or a later bucket version served), from which nothing users do is credited to it; null while it runs [ours].',
      },
      bucketVersion: { type: 'integer', minimum: 1 },
      hashVersion: { type: 'integer', minimum: 1 },
      trafficAllocation: { type: 'number' },
      startedAt: {
        type: ['string', 'null'],
        format: 'date-time',
        description: 'The first assignment of this bucket version.',
      },
      users: { type: 'integer', minimum: 0 },
      primaryMetric: {
        type: ['string', 'null'],
        description: 'The event that decides the verdicts; null when the rules declare none.',
      },
      secondaryMetrics: {
        type: 'array',
        items: { type: 'string' },
        description: 'Declared secondary metrics, else every tracked event but housekeeping [ours].',
      },
      sampleRatio: {
        description:
          'Sample-ratio mismatch check (chi-square): `mismatch` when p < 0.001 — then no verdict holds.',
        oneOf: [{ type: 'null' }, sampleRatio],
      },
      sampleRatioReason: {
        type: ['string', 'null'],
        description:
          'Why `sampleRatio` is null (nobody assigned yet, fewer than two weighted variations) [ours].',
      },
      verdictOn: {
        enum: ['conversionRate', 'revenuePerUser', null],
        description:
          'The figure the verdicts judge: revenue per user when the primary metric declares a value property, else its conversion rate; null without a primary metric [ours].',
      },
      splits: {
        type: 'array',
        description:
          'The splits (`id:weight` pairs) the users of this bucket version were assigned under, with the users under each; more than one: the weights changed mid-experiment, and comparisons and verdicts are withheld [ours].',
        items: {
          type: 'object',
          required: ['weights', 'users'],
          additionalProperties: false,
          properties: { weights: { type: 'string' }, users: { type: 'integer', minimum: 0 } },
        },
      },
      comparisonsWithheld: {
        type: ['string', 'null'],
        description:
          'Why no arm is compared with another (every `versusControl` null, `armVersusArm` empty): the weights changed within the bucket version, so pooled differences would describe the mix of periods, not the arms; null otherwise [ours].',
      },
      enrolledAfterEnd: {
        type: 'object',
        required: ['users', 'note'],
        additionalProperties: false,
        description:
          'Present when players were assigned after this bucket version ended (the rules ran it again, or a rollback did, without raising `bucketVersion`): how many, left out of every figure, since nothing they do is credited to the version [ours].',
        properties: { users: { type: 'integer', minimum: 1 }, note: { type: 'string' } },
      },
      variations: { type: 'array', items: variationResult },
      armVersusArm: {
        type: 'array',
        description:
          'Every pair of arms on the primary metric (or the first secondary one without a primary).',
        items: {
          type: 'object',
          required: [...smallSampleRequired, 'a', 'b', 'difference', 'pValue', 'pValueHolm'],
          additionalProperties: false,
          properties: {
            ...smallSampleProperties,
            a: { type: 'integer' },
            b: { type: 'integer' },
            difference: { type: 'number', description: 'rate_b − rate_a.' },
            pValue: nullableNumber,
            pValueHolm: nullableNumber,
          },
        },
      },
      timeline,
    },
  },
};
