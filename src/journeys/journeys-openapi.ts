import { adminErrors, appIdParam } from '../admin/admin-openapi.js';
import {
  errorResponses,
  json,
  jsonResponse,
  paramsOf,
  pathParam,
  ref,
} from '../http/openapi/openapi-builders.js';
import type { OpenApiPart, OperationObject, ResponseObject } from '../http/openapi/openapi-types.js';
import { JOURNEYS_RESPONSE_SCHEMAS } from './journeys-response-schemas.js';
import {
  eventBatchSchema,
  eventSchema,
  generateQuerySchema,
  timelineQuerySchema,
  userPatchSchema,
} from './journeys-schemas.js';

const BASE = '/v1/user-journeys';
const TAG = ['User journeys'];
const KEY = [{ journeysKey: [] }];
const externalId = pathParam('externalId', 'The app’s id of the user.');

/** What every journeys route may answer besides its own: the key check and the rules. */
function errors(byStatus: Record<number, string>, body = false): Record<string, ResponseObject> {
  const bodyErrors: Record<number, string> = body
    ? { 400: '`Invalid request body` (the docs’ wording), naming each offending field in `errors` [ours].' }
    : {};
  return errorResponses('journeys', {
    401: '`Missing X-API-Key header` or `Invalid API key`.',
    403: '`API key has been revoked`, `Application is not active`, or a key without the journeys API.',
    503: 'The app has no valid rules loaded yet, or no Journeys rules.',
    ...bodyErrors,
    ...byStatus,
  });
}

const ok = (description: string, schema: string) =>
  jsonResponse(description, ref(schema), { rulesVersion: true });
const USER_NOT_FOUND = { 404: '`User not found`: never seen in this key’s environment.' };

function operation(
  operationId: string,
  summary: string,
  rest: Omit<OperationObject, 'operationId' | 'summary' | 'tags' | 'security'>,
): OperationObject {
  return { operationId, summary, tags: TAG, security: KEY, ...rest };
}

const EVENT = {
  externalId: 'journeyer-1',
  eventType: 'spin',
  category: 'GAME_PLAY',
  points: 10,
  clientEventId: 'seed-1',
};

const PATHS: OpenApiPart['paths'] = {
  [`${BASE}/users`]: {
    'x-offerd-family': 'journeys',
    post: operation('upsertUser', 'Create or update a user by externalId', {
      description:
        'A field left out keeps its value, `null` clears it; `tags` and `metadata` merge key by key (a `null` value removes the key); unknown fields are ignored [ours].',
      requestBody: {
        required: true,
        content: json(userPatchSchema, {
          externalId: 'journeyer-1',
          displayName: 'Ada',
          country: 'de',
          tags: { vip: true },
        }),
      },
      responses: {
        200: ok('Created or updated: 200 OK either way, as documented.', 'ProfileResponse'),
        ...errors({}, true),
      },
    }),
  },
  [`${BASE}/users/{externalId}`]: {
    'x-offerd-family': 'journeys',
    get: operation('getUser', 'A user’s profile, aggregates and recommendations', {
      parameters: [externalId],
      responses: { 200: ok('The profile.', 'ProfileResponse'), ...errors(USER_NOT_FOUND) },
    }),
  },
  [`${BASE}/users/{externalId}/timeline`]: {
    'x-offerd-family': 'journeys',
    get: operation('getTimeline', 'A user’s events, newest first, paged', {
      parameters: [externalId, ...paramsOf('query', timelineQuerySchema)],
      responses: {
        200: ok('One page of events.', 'TimelineResponse'),
        ...errors({ 400: 'A bad `page` or `limit`.', ...USER_NOT_FOUND }),
      },
    }),
  },
  [`${BASE}/events`]: {
    'x-offerd-family': 'journeys',
    post: operation('trackEvent', 'Track one event for a user', {
      description:
        'The vendor page for this body was not recoverable: the body is ours. An unknown `externalId` creates the user; a retry with a `clientEventId` the same user already sent stores nothing and returns the first event (another user’s event with that id is another event).',
      requestBody: { required: true, content: json(eventSchema, EVENT) },
      responses: {
        200: ok('A retry of a stored event (`duplicate: true`).', 'EventResponse'),
        201: ok('Stored.', 'EventResponse'),
        ...errors({}, true),
      },
    }),
  },
  [`${BASE}/track`]: {
    'x-offerd-family': 'journeys',
    post: operation('trackEvents', 'Track a batch of events', {
      description:
        'All or nothing: one bad event rejects the batch, every bad one named. A bare array is taken as `events` [ours].',
      requestBody: {
        required: true,
        content: json({ anyOf: [eventBatchSchema, eventBatchSchema.properties.events] }, { events: [EVENT] }),
      },
      responses: {
        200: ok('Every event was a retry of a stored one.', 'BatchResponse'),
        201: ok('At least one event stored.', 'BatchResponse'),
        ...errors({}, true),
      },
    }),
  },
  [`${BASE}/users/{externalId}/offers`]: {
    'x-offerd-family': 'journeys',
    get: operation('getOffers', 'A user’s active, non-expired offers', {
      parameters: [externalId],
      responses: { 200: ok('The offers.', 'OffersResponse'), ...errors(USER_NOT_FOUND) },
    }),
  },
  [`${BASE}/users/{externalId}/offers/{offerId}/claim`]: {
    'x-offerd-family': 'journeys',
    post: operation('claimOffer', 'Claim an offer', {
      description:
        'Logs an `offer_claimed` event (category `OFFER`) worth the offer’s `pointsValue`, in the same write; of concurrent claims exactly one succeeds [ours].',
      parameters: [externalId, pathParam('offerId', 'The offer’s id.')],
      responses: {
        200: ok('Claimed.', 'ClaimResponse'),
        ...errors({
          400: '`Offer is no longer active` (already claimed) or `Offer has expired`.',
          404: '`Offer not found`: an unknown id, or not this user’s (or environment’s).',
        }),
      },
    }),
  },
  '/admin/apps/{appId}/journeys/generate': {
    'x-offerd-family': 'admin',
    post: {
      operationId: 'generateJourneyOffers',
      summary: 'Run the offer generation job now',
      tags: ['User journeys', 'Admin'],
      security: [{ adminToken: [] }],
      parameters: [appIdParam, ...paramsOf('query', generateQuerySchema)],
      responses: {
        200: jsonResponse('What the run did per environment.', ref('GenerationReport'), {
          rulesVersion: true,
        }),
        ...adminErrors({ 400: 'A bad `environment`.', 404: 'No app with Journeys rules.' }),
      },
    },
  },
  '/admin/apps/{appId}/journeys/runs': {
    'x-offerd-family': 'admin',
    get: {
      operationId: 'listJourneyGenerationRuns',
      summary: 'The last runs of the offer generation job, newest first',
      description:
        'The reports of the runs this instance made (schedule or admin trigger), at most 20 per app, newest first; kept in memory, so a restart empties the list [ours].',
      tags: ['User journeys', 'Admin'],
      security: [{ adminToken: [] }],
      parameters: [appIdParam],
      responses: {
        200: jsonResponse(
          'The runs, each the report `POST …/journeys/generate` answers.',
          {
            type: 'object',
            required: ['appId', 'runs'],
            additionalProperties: false,
            properties: {
              appId: { type: 'string' },
              runs: { type: 'array', items: ref('GenerationReport') },
            },
          },
          { example: { appId: 'demo', runs: [] } },
        ),
        ...adminErrors({ 404: 'No such app.' }),
      },
    },
  },
};

/** The user-journeys API and its admin trigger. */
export const JOURNEYS_OPENAPI: OpenApiPart = {
  tags: [
    { name: 'User journeys', description: 'GamifyHost-compatible lifecycle offers (docs/user-journeys.md).' },
  ],
  securitySchemes: {
    journeysKey: {
      type: 'apiKey',
      in: 'header',
      name: 'X-API-Key',
      description:
        '`pk_live_…` or `pk_test_…`: the key’s environment; live and test data are fully isolated.',
    },
  },
  schemas: JOURNEYS_RESPONSE_SCHEMAS,
  paths: PATHS,
};
