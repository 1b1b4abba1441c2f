/**
 * The request schemas of the admin API's own routes (rules reload and rollback, explain):
 * written once, validated with ajv by the routes and published in the API reference.
 * What a schema cannot say simply (explain's user may be named inside `request`, under its
 * API's own field) is checked next to where it is read.
 */
import type { SchemaMessages } from '../http/request-schema.js';

export const EXPLAIN_APIS = ['banner', 'offerwall', 'journeys'] as const;
export const MAX_USER_ID = 256;

/** `POST /admin/rules/reload`: its query. */
export const reloadQuerySchema = {
  title: 'Reload',
  type: 'object',
  additionalProperties: false,
  properties: {
    app: {
      title: 'App',
      description: 'Only this app; default every app.',
      type: 'string',
      minLength: 1,
      maxLength: 128,
    },
  },
} as const;

export const reloadQueryMessages: SchemaMessages = {
  app: 'must be an app id of at most 128 characters',
};

/** `POST /admin/rules/{appId}/rollback`: its body. */
export const rollbackBodySchema = {
  title: 'Rollback',
  type: 'object',
  required: ['hash'],
  // Closed, as every admin action's input: `{"hash": …, "dryRun": true}` rolled back and pinned
  // the app for real (hostile probe). An unknown field is a 400 and changes nothing.
  additionalProperties: false,
  properties: {
    hash: {
      title: 'Snapshot hash',
      description: 'The hash of a snapshot in the app’s history (`GET /admin/rules`).',
      type: 'string',
      minLength: 1,
      maxLength: 128,
    },
  },
} as const;

export const rollbackBodyMessages: SchemaMessages = {
  body: { type: 'must be a JSON object with hash' },
  hash: 'must be the hash of a snapshot (a string of at most 128 characters)',
};

/** `POST /admin/apps/{appId}/explain`: its body. */
export const explainBodySchema = {
  title: 'Explain',
  type: 'object',
  required: ['api'],
  description:
    'Either a stored `user` (or the user id in `request`: `userId`, `uid` or `externalId`), explained with their real activity; or a what-if `state` with a `request` [ours].',
  properties: {
    api: { enum: EXPLAIN_APIS },
    user: {
      type: 'string',
      minLength: 1,
      maxLength: MAX_USER_ID,
      description: 'A stored user’s id.',
    },
    request: {
      type: 'object',
      description: 'What the API would be sent: a banner body, an offerwall query, a journeys user.',
    },
    now: { type: 'string', format: 'date-time', description: 'The clock of the decision; default now.' },
    state: { type: 'object', description: 'The user’s stored state to assume, as in a fixture file.' },
  },
  dependentRequired: { state: ['request'] },
} as const;

export const USER_MESSAGE = `must be the stored user's id, 1..${MAX_USER_ID} characters`;

export const explainBodyMessages: SchemaMessages = {
  body: { type: 'must be a JSON object' },
  api: `must be one of ${EXPLAIN_APIS.join(', ')}`,
  user: USER_MESSAGE,
  request: { type: 'must be an object', required: 'is required with state' },
  now: 'must be an ISO 8601 date-time (e.g. 2026-11-20T14:00:00Z)',
  state: 'must be an object',
};
