import {
  errorResponses,
  json,
  jsonResponse,
  paramsOf,
  pathParam,
  ref,
} from '../http/openapi/openapi-builders.js';
import type { OpenApiPart, ResponseObject } from '../http/openapi/openapi-types.js';
import { ADMIN_RESPONSE_SCHEMAS } from './admin-response-schemas.js';
import { explainBodySchema, reloadQuerySchema, rollbackBodySchema } from './admin-schemas.js';
import { IMPACT_RESPONSE_SCHEMAS } from './impact-response-schema.js';
import { impactBodySchema } from './impact-schema.js';

const ADMIN = [{ adminToken: [] }];

/** What the admin guard answers before any admin route runs. */
export const ADMIN_AUTH_ERRORS: Record<number, string> = {
  401: 'No `Authorization: Bearer <token>`, or more than one Authorization header.',
  403: 'The token is not the admin token.',
};

export const adminErrors = (byStatus: Record<number, string>): Record<string, ResponseObject> =>
  errorResponses('admin', { ...ADMIN_AUTH_ERRORS, ...byStatus });

export const appIdParam = pathParam('appId', 'The app, as configured (`demo`).');

/** The rules, explain and operations endpoints (the APIs add their own admin routes to their parts). */
export const ADMIN_OPENAPI: OpenApiPart = {
  tags: [
    {
      name: 'Admin',
      description: 'Rules status, reload, rollback and explain. `Authorization: Bearer <admin token>`.',
    },
    {
      name: 'Operations',
      description: 'Health, readiness and metrics; open (metrics: unless OFFERD_METRICS_TOKEN is set).',
    },
  ],
  securitySchemes: {
    adminToken: {
      type: 'http',
      scheme: 'bearer',
      description:
        'The admin token (`admin.token` or `OFFERD_ADMIN_TOKEN`); checked before any admin route reads its body.',
    },
  },
  schemas: { ...ADMIN_RESPONSE_SCHEMAS, ...IMPACT_RESPONSE_SCHEMAS },
  paths: {
    '/admin/rules': {
      'x-offerd-family': 'admin',
      get: {
        operationId: 'getRulesStatus',
        summary: 'Which instance answers, what each app serves, its last error and history',
        tags: ['Admin'],
        security: ADMIN,
        responses: { 200: jsonResponse('The rules of every app.', ref('RulesStatus')), ...adminErrors({}) },
      },
    },
    '/admin/rules/reload': {
      'x-offerd-family': 'admin',
      post: {
        operationId: 'reloadRules',
        summary: 'Reload rules through the file watcher’s code path',
        tags: ['Admin'],
        security: ADMIN,
        parameters: paramsOf('query', reloadQuerySchema),
        responses: {
          200: jsonResponse('Every app activated its rules or had no change.', ref('ReloadOutcomes')),
          422: jsonResponse(
            'An app’s rules failed to load; the last good ones keep serving.',
            ref('ReloadOutcomes'),
          ),
          ...adminErrors({ 400: 'A bad `app`: empty, repeated or too long.', 404: 'No such app.' }),
        },
      },
    },
    '/admin/rules/{appId}/rollback': {
      'x-offerd-family': 'admin',
      post: {
        operationId: 'rollbackRules',
        summary: 'Serve an earlier snapshot from the history, pinned until the next reload',
        tags: ['Admin'],
        security: ADMIN,
        parameters: [appIdParam],
        requestBody: {
          required: true,
          content: json(rollbackBodySchema, { hash: '6740c1e4aec9' }),
        },
        responses: {
          200: jsonResponse('Now serving that snapshot.', ref('RollbackResult')),
          ...adminErrors({
            400: 'No `hash` string (of at most 128 characters).',
            404: 'No such snapshot in the app’s history.',
          }),
        },
      },
    },
    '/admin/apps/{appId}/explain': {
      'x-offerd-family': 'admin',
      post: {
        operationId: 'explainDecision',
        summary:
          'The decision the active rules make for a request, and why (`offerd explain` on the live rules)',
        tags: ['Admin'],
        security: ADMIN,
        parameters: [appIdParam],
        requestBody: {
          required: true,
          content: json(explainBodySchema, {
            api: 'banner',
            user: 'player-1',
            request: { offerId: '8622', activeChamp: 'ahri' },
          }),
        },
        responses: {
          200: jsonResponse('The decision and its explanation.', ref('Explanation')),
          ...adminErrors({
            400: 'A bad `api`, `request`, `now` or `state`, or a state that cannot be evaluated.',
            404: 'No such app with active rules, or `USER_NOT_FOUND`: the API has no stored user of that id.',
          }),
        },
      },
    },
    '/admin/apps/{appId}/impact': {
      'x-offerd-family': 'admin',
      post: {
        operationId: 'replayImpact',
        summary:
          'What a change would do to real traffic: the recorded decisions replayed under the candidate and the live rules (`offerd diff --replay`)',
        tags: ['Admin'],
        security: ADMIN,
        parameters: [appIdParam],
        requestBody: { required: true, content: json(impactBodySchema, { source: 'pending' }) },
        responses: {
          200: jsonResponse('The impact in business numbers, per API.', ref('ImpactReport')),
          ...adminErrors({
            400: 'A bad body: neither or both of `source` and `rules`, or `rules` not a directory holding the app’s folder.',
            404: 'No such app with active rules.',
            422: '`INVALID_RULES`: the candidate rules do not load; each problem as file:line:col in `fields`.',
          }),
        },
      },
    },
    '/healthz': {
      'x-offerd-family': 'neutral',
      get: {
        operationId: 'health',
        summary: 'The process answers (cheap)',
        tags: ['Operations'],
        security: [],
        responses: { 200: jsonResponse('Alive.', ref('Health')) },
      },
    },
    '/readyz': {
      'x-offerd-family': 'neutral',
      get: {
        operationId: 'readiness',
        summary: 'Rules and store are ready',
        tags: ['Operations'],
        security: [],
        responses: {
          200: jsonResponse(
            'Ready: at least one active app serves rules (or none is active) and the store answers. Active apps with no valid rules yet are named in `notServing` (and `reason`).',
            ref('Readiness'),
          ),
          503: jsonResponse(
            'Not ready: no active app has valid rules yet, or the store does not answer or take writes.',
            ref('Readiness'),
          ),
        },
      },
    },
    '/metrics': {
      'x-offerd-family': 'neutral',
      get: {
        operationId: 'metrics',
        summary: 'Prometheus metrics',
        description:
          'Open unless `OFFERD_METRICS_TOKEN` is set; then `Authorization: Bearer` with that token or the admin token. The samples name every app, its rules versions and its traffic.',
        tags: ['Operations'],
        security: [{}, { adminToken: [] }],
        responses: {
          200: {
            description: 'Prometheus text format.',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
          ...errorResponses('neutral', {
            401: 'OFFERD_METRICS_TOKEN is set and no `Authorization: Bearer <token>` came.',
            403: 'The token is neither OFFERD_METRICS_TOKEN nor the admin token.',
          }),
        },
      },
    },
  },
};
