import { idSchema, ruleFileSchema } from './common.js';

/** kind: Segments — named, reusable conditions that every other kind may reference. */
export const segmentsSchema = ruleFileSchema('Segments', {
  type: 'object',
  additionalProperties: false,
  required: ['segments'],
  properties: {
    segments: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'conditions'],
        properties: {
          id: idSchema,
          description: { type: 'string' },
          conditions: { $ref: '#/$defs/condition' },
        },
      },
    },
  },
});

export interface SegmentsSpec {
  segments: { id: string; description?: string; conditions: import('../engine/conditions.js').Condition }[];
}
