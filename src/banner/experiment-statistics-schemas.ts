import type { JsonSchema } from '../http/openapi/openapi-types.js';

/**
 * The statistics inside the experiment results' bodies (experiment-response-schemas.ts):
 * intervals, the small-sample flag, the sample-ratio check, a metric and revenue against control.
 */

export const nullableNumber: JsonSchema = { type: ['number', 'null'] };
export const interval: JsonSchema = {
  oneOf: [
    { type: 'null' },
    {
      type: 'object',
      required: ['low', 'high'],
      additionalProperties: false,
      properties: { low: { type: 'number' }, high: { type: 'number' } },
    },
  ],
};

/** The small-sample flag's two fields (metric-comparison.ts SmallSample). */
export const smallSampleProperties = {
  smallSample: {
    type: 'boolean',
    description:
      'Too few users for the normal approximation (docs/experiments.md, "Small samples"): p-values and intervals it would give are null [ours].',
  },
  smallSampleReason: { type: ['string', 'null'], description: 'Why, for a person; null when not flagged.' },
} as const;
export const smallSampleRequired = ['smallSample', 'smallSampleReason'];

export const sampleRatio: JsonSchema = {
  type: 'object',
  required: [...smallSampleRequired, 'statistic', 'df', 'pValue', 'mismatch', 'counts'],
  additionalProperties: false,
  properties: {
    smallSample: {
      type: 'boolean',
      description:
        'An arm expects fewer than 5 users: the chi-square test does not hold, `pValue` is null and `mismatch` false [ours].',
    },
    smallSampleReason: smallSampleProperties.smallSampleReason,
    statistic: { type: 'number' },
    df: { type: 'integer' },
    pValue: nullableNumber,
    mismatch: { type: 'boolean' },
    counts: {
      type: 'array',
      items: {
        type: 'object',
        required: ['variationId', 'users', 'expected'],
        additionalProperties: false,
        properties: {
          variationId: { type: 'integer' },
          users: { type: 'integer' },
          expected: { type: 'number' },
        },
      },
    },
  },
};

export const versusControl: JsonSchema = {
  type: 'object',
  required: [
    ...smallSampleRequired,
    'uplift',
    'upliftInterval',
    'difference',
    'pValue',
    'pValueHolm',
    'sequentialPValue',
    'sequentialInterval',
  ],
  additionalProperties: false,
  properties: {
    ...smallSampleProperties,
    uplift: { ...nullableNumber, description: 'rate / controlRate − 1; null for a zero control rate.' },
    upliftInterval: interval,
    difference: { type: 'number' },
    pValue: { ...nullableNumber, description: 'Fixed-horizon two-sided z-test: valid only read once.' },
    pValueHolm: { ...nullableNumber, description: 'Holm-corrected over the experiment’s arms.' },
    sequentialPValue: { ...nullableNumber, description: 'Always valid (mSPRT), however often read [ours].' },
    sequentialInterval: interval,
  },
};

export const revenueResult: JsonSchema = {
  type: 'object',
  description:
    "Revenue per user of the primary metric's value property (values of events at or after the user's assignment; a user without one counts 0) [ours].",
  required: [...smallSampleRequired, 'value', 'perUser', 'interval', 'versusControl'],
  additionalProperties: false,
  properties: {
    ...smallSampleProperties,
    value: { type: 'string', description: 'The event property summed.' },
    perUser: { type: 'number', description: 'Σ value / assigned users, 4 decimals.' },
    interval: {
      ...interval,
      description: '95 % normal interval of the mean, its lower bound clamped at 0; null under 30 users.',
    },
    versusControl: {
      oneOf: [
        { type: 'null' },
        {
          type: 'object',
          required: [
            ...smallSampleRequired,
            'difference',
            'differenceInterval',
            'uplift',
            'upliftInterval',
            'pValue',
            'sequentialPValue',
          ],
          additionalProperties: false,
          properties: {
            ...smallSampleProperties,
            difference: { type: 'number', description: 'perUser − control perUser.' },
            differenceInterval: { ...interval, description: 'Welch standard error, normal quantile.' },
            uplift: {
              ...nullableNumber,
              description: 'perUser / control perUser − 1; null for zero control revenue.',
            },
            upliftInterval: { ...interval, description: 'Delta method on the log ratio of means.' },
            pValue: {
              ...nullableNumber,
              description: 'Two-sided p of the difference (Welch z); null when small.',
            },
            sequentialPValue: {
              ...nullableNumber,
              description:
                'Always-valid (mSPRT) p-value of the difference, the one the verdict judges (against 0.05 over the treated arms); null when small.',
            },
          },
        },
      ],
    },
  },
};
