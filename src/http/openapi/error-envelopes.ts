import type { JsonSchema } from './openapi-types.js';

/** One offending input, as every envelope names it (src/http/app-error.ts FieldProblem). */
const FIELD_PROBLEM: JsonSchema = {
  type: 'object',
  required: ['field', 'message'],
  additionalProperties: false,
  properties: {
    field: { type: 'string', description: 'The offending field or parameter (`events[3].eventType`).' },
    message: { type: 'string' },
  },
};

const problems: JsonSchema = { type: 'array', items: { $ref: '#/components/schemas/FieldProblem' } };
const code: JsonSchema = { type: 'string', pattern: '^[A-Z][A-Z0-9_]*$' };

/**
 * The error envelope of each API family, as src/http/api-family.ts `renderError` writes
 * them: one schema per family, referenced by every error response of its routes.
 */
export const ERROR_ENVELOPES: Record<string, JsonSchema> = {
  FieldProblem: FIELD_PROBLEM,
  BannerError: {
    type: 'object',
    description:
      'Kibotu answers errors with a message (`Invalid input` for bad input); offerd adds a stable `code` and `errors` naming each offending field (the vendor is silent on which fields).',
    required: ['message', 'code', 'errors'],
    additionalProperties: false,
    properties: { message: { type: 'string' }, code, errors: problems },
  },
  TrackError: {
    description:
      'The Kibotu SDK\'s failure reply: `0`, or with `verbose=1` `{"status": 0, "error": "…"}` (the SDK reads anything but `1` as failure).',
    oneOf: [
      { const: 0 },
      {
        type: 'object',
        required: ['status', 'error'],
        additionalProperties: false,
        properties: { status: { const: 0 }, error: { type: 'string' } },
      },
    ],
  },
  OfferwallError: {
    type: 'object',
    description:
      'RevU\'s codes (`INVALID_PARAMETER`, `USER_BANNED`, `IP_BANNED`, `WALL_NOT_FOUND`, `NO_ELIGIBLE_OFFERS`, `INTERNAL`) in offerd\'s envelope, after RevU\'s Get Offers `{"status":"failure"}`; `error.fields` (ours) lists each offending parameter, and `support_id` finds the request in the logs.',
    required: ['status', 'error', 'support_id'],
    additionalProperties: false,
    properties: {
      status: { const: 'failure' },
      error: {
        type: 'object',
        required: ['code', 'message'],
        additionalProperties: false,
        properties: { code, message: { type: 'string' }, fields: problems },
      },
      support_id: { type: 'integer' },
    },
  },
  JourneysError: {
    type: 'object',
    description:
      "GamifyHost's error envelope: `code` is the HTTP status. `errors` (ours) names each offending field of a 400.",
    required: ['message', 'code', 'status'],
    additionalProperties: false,
    properties: {
      message: { type: 'string' },
      code: { type: 'integer', minimum: 400, maximum: 599 },
      status: { const: 'error' },
      errors: problems,
    },
  },
  TransportError: {
    type: 'object',
    description:
      'Node’s HTTP parser refused the request before any API saw it: 400 `BAD_REQUEST` (not valid HTTP), 408 `REQUEST_TIMEOUT` (headers not within 20 s, or the request within 30 s), 417 `EXPECTATION_FAILED` (an `Expect` other than 100-continue), 431 `HEADERS_TOO_LARGE`. A 400, 408 or 431 whose request line could be read, and a 417, on a path of an API, come in that API’s envelope instead, with the same code.',
    required: ['error'],
    additionalProperties: false,
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        additionalProperties: false,
        properties: { code, message: { type: 'string' } },
      },
    },
  },
  AdminError: {
    type: 'object',
    description:
      "offerd's own envelope (admin API, /healthz-style endpoints, unknown paths); `requestId` finds the request in the logs.",
    required: ['error', 'requestId'],
    additionalProperties: false,
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message', 'fields'],
        additionalProperties: false,
        properties: { code, message: { type: 'string' }, fields: problems },
      },
      requestId: { type: 'integer' },
    },
  },
};
