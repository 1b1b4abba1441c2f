import { adminErrors, appIdParam } from '../admin/admin-openapi.js';
import {
  errorResponses,
  json,
  jsonResponse,
  paramsOf,
  pathParam,
  queryParam,
  ref,
} from '../http/openapi/openapi-builders.js';
import type { OpenApiPart, OperationObject } from '../http/openapi/openapi-types.js';
import { BANNER_RESPONSE_SCHEMAS } from './banner-response-schemas.js';
import { experimentResultsQuerySchema, personalizedBannerSchema } from './banner-schemas.js';
import { trackBatchSchema } from './sdk/track-schemas.js';

const KEY = [{ bannerKey: [] }];

const AUTH_ERRORS = {
  401: 'No key, or an unknown one: `Invalid authentication, check your API Key`.',
  403: 'A revoked key, a disabled app, or a key without the banner API: `Invalid authorization, no permissions to perform the requested action`.',
};
const RULES_ERRORS = { 503: 'The app has no valid rules loaded yet, or no Banner rules.' };

/** The demo app's request and reply (docs/personal-offers.md). */
const SDK_REQUEST = {
  userId: 'player-1',
  activeChamp: 'ahri',
  offerId: '8622',
  prizeTypes: ['champion'],
  postalCode: '10115',
};
const REPLY = {
  imageFullUrl: 'https://cdn.offerd.example/banners/champion-spotlight/gems_500_en.png',
  kibotuMetadata: {
    userId: 'player-1',
    offerId: '8622',
    countryIso2: null,
    experimentId: 'champion-spotlight',
    variationId: 1,
    renderId: '3f2c6a4e-8d1b-4c52-9e57-0b6f1f4b2a10',
    occasion: '',
  },
};

function bannerOperation(operationId: string, sdkPath: boolean): OperationObject {
  return {
    operationId,
    summary: sdkPath
      ? 'The personalized banner (the path the SDKs call)'
      : 'The personalized banner for one user',
    description:
      'Kibotu requires `prizeKey` and `countryIso2`; its own node SDK sends neither, so offerd requires only `userId` and `offerId` [ours]: an absent `prizeKey` takes the app’s default, an absent `countryIso2` the caller’s country by geo-IP (null when unknown). `postalCode` (the node SDK’s name) is accepted for `zipCode`; `Authorization: Bearer <key>` as well as the raw key [ours]. Served on both `/getPersonalizedBanner` and `/ab/getPersonalizedBanner`, alike.',
    tags: ['Personal offers'],
    security: KEY,
    requestBody: { required: true, content: json(personalizedBannerSchema, SDK_REQUEST) },
    responses: {
      200: jsonResponse('The banner, with `Cache-Control: no-store`.', ref('BannerResponse'), {
        example: REPLY,
        rulesVersion: true,
      }),
      ...errorResponses('banner', {
        400: '`Invalid input`, naming each offending field [ours: the names].',
        ...AUTH_ERRORS,
        ...RULES_ERRORS,
      }),
    },
  };
}

function trackOperation(operationId: string): OperationObject {
  return {
    operationId,
    summary: 'Track a batch of events, as the SDKs do',
    description:
      'Each event is checked alone: a bad one is named in the reply (`0`, or `failed_records` with verbose=1) and the others are stored [ours]; a single event object is a batch of one. Without an Authorization header, the key is read from the first event’s `properties.token`, as the SDKs send it. An event that carries an id (`properties.$insert_id` from the node SDK, the queue `id` from Unity) is stored once however often a retry sends it [ours].',
    tags: ['Personal offers'],
    security: KEY,
    parameters: [
      queryParam('verbose', '`1`: answer `{"status": 1, "error": null}` instead of `1`.', {
        enum: ['0', '1'],
      }),
      queryParam(
        'ip',
        '`0`: do not geolocate the caller (the SDKs’ server-side default); events are never geolocated.',
        {
          enum: ['0', '1'],
        },
      ),
    ],
    requestBody: {
      required: true,
      content: json(trackBatchSchema, [
        {
          event: 'SpecialOfferPopupPurchased',
          properties: {
            distinct_id: 'player-1',
            time: 1732350000,
            kibotuMetadata: {
              experimentId: 'champion-spotlight',
              variationId: 1,
              renderId: REPLY.kibotuMetadata.renderId,
            },
          },
        },
      ]),
    },
    responses: {
      200: jsonResponse(
        '`1`: every event stored; `0`: some were rejected, the valid ones stored, or the body was refused whole (not a list of 1 to 50 events, not JSON, over the body limit), nothing stored.',
        ref('SdkReply'),
        {
          rulesVersion: true,
        },
      ),
      ...errorResponses('track', {
        ...AUTH_ERRORS,
        ...RULES_ERRORS,
      }),
    },
  };
}

/** The personal-offers API: banners, tracking and the experiment results of the admin API. */
export const BANNER_OPENAPI: OpenApiPart = {
  tags: [
    {
      name: 'Personal offers',
      description: 'Kibotu-compatible personalized banners and tracking (docs/personal-offers.md).',
    },
  ],
  securitySchemes: {
    bannerKey: {
      type: 'apiKey',
      in: 'header',
      name: 'Authorization',
      description:
        'The app’s banner key, raw as the SDKs send it (`Authorization: demo-key`), or `Bearer <key>` [ours].',
    },
  },
  schemas: BANNER_RESPONSE_SCHEMAS,
  paths: {
    '/getPersonalizedBanner': {
      'x-offerd-family': 'banner',
      post: bannerOperation('getPersonalizedBanner', false),
    },
    '/ab/getPersonalizedBanner': {
      'x-offerd-family': 'banner',
      post: bannerOperation('getPersonalizedBannerSdk', true),
    },
    '/track': { 'x-offerd-family': 'track', post: trackOperation('track') },
    '/ab/track': { 'x-offerd-family': 'track', post: trackOperation('trackAb') },
    '/admin/apps/{appId}/experiments': {
      'x-offerd-family': 'admin',
      get: {
        operationId: 'listExperiments',
        summary: 'The experiments of one app, with their assigned users',
        tags: ['Personal offers', 'Admin'],
        security: [{ adminToken: [] }],
        parameters: [appIdParam],
        responses: {
          200: jsonResponse('One summary per experiment.', ref('ExperimentList'), { rulesVersion: true }),
          ...adminErrors({ 404: 'No such app.', ...RULES_ERRORS }),
        },
      },
    },
    '/admin/apps/{appId}/experiments/{experimentId}': {
      'x-offerd-family': 'admin',
      get: {
        operationId: 'getExperimentResults',
        summary: 'Per-variation results of one experiment, for account managers',
        tags: ['Personal offers', 'Admin'],
        security: [{ adminToken: [] }],
        parameters: [
          appIdParam,
          pathParam('experimentId', 'The experiment id of the app’s Banner rules.'),
          ...paramsOf('query', experimentResultsQuerySchema),
        ],
        responses: {
          200: jsonResponse('Users, exposures and conversions per variation.', ref('ExperimentResults'), {
            rulesVersion: true,
          }),
          ...adminErrors({
            400: 'A bad `bucketVersion`.',
            404: 'No such app or experiment.',
            ...RULES_ERRORS,
          }),
        },
      },
    },
  },
};
