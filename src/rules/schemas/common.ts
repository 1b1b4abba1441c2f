/** Schema pieces shared by every rule kind. */

import { FACT_NAME } from '../engine/conditions.js';

export const RULES_API_VERSION = 'offerd/v1';

/** Ids people type and reference: lower-case words joined by '-' or '_'. */
export const idSchema = { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' } as const;

/**
 * A condition in json-rules-engine's form (all/any/not, fact/operator/value) plus
 * `segment`. The schema checks shapes and types; which combination of keys forms a
 * valid node, known operators and known segments are checked after it, so the
 * messages can name the exact mistake.
 */
export const conditionSchema = {
  type: 'object',
  minProperties: 1,
  additionalProperties: false,
  properties: {
    all: { type: 'array', items: { $ref: '#/$defs/condition' } },
    any: { type: 'array', items: { $ref: '#/$defs/condition' } },
    not: { $ref: '#/$defs/condition' },
    fact: { type: 'string', pattern: FACT_NAME.source },
    operator: { type: 'string' },
    value: {},
    segment: idSchema,
  },
} as const;

/** Wraps a kind's `spec` schema in the envelope every rule file shares. */
export function ruleFileSchema(kind: string, spec: object, defs: Record<string, object> = {}): object {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    additionalProperties: false,
    required: ['apiVersion', 'kind', 'version', 'spec'],
    properties: {
      apiVersion: { const: RULES_API_VERSION },
      kind: { const: kind },
      version: {
        description: 'content version, bumped by whoever edits the file',
        anyOf: [
          { type: 'integer', minimum: 1 },
          { type: 'string', minLength: 1, maxLength: 64 },
        ],
      },
      metadata: {
        type: 'object',
        additionalProperties: false,
        properties: { description: { type: 'string' }, owner: { type: 'string' } },
      },
      spec,
    },
    $defs: { condition: conditionSchema, ...defs },
  };
}

/** The header every file is read by before its kind-specific schema is chosen. */
export const envelopeSchema = {
  type: 'object',
  required: ['apiVersion', 'kind'],
  properties: { apiVersion: { const: RULES_API_VERSION }, kind: { type: 'string' } },
} as const;
