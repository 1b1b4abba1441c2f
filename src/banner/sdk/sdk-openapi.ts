import { errorResponses, jsonResponse, queryParam, ref } from '../../http/openapi/openapi-builders.js';
import type {
  JsonSchema,
  OpenApiPart,
  OperationObject,
  ResponseObject,
} from '../../http/openapi/openapi-types.js';
import { featureBodySchema, groupUpdatesSchema, profileUpdatesSchema } from './sdk-schemas.js';
import { importBatchSchema } from './track-schemas.js';

/**
 * The Kibotu SDKs' other calls (sdk-routes.ts): /import, /engage, /groups, /feature. Their
 * request bodies are the very schemas the routes validate with (sdk-schemas.ts).
 */

const KEY = [{ bannerKey: [] }];
const AUTH_ERRORS = {
  401: 'No key (neither header nor the first record’s `token`/`$token`), or an unknown one.',
  403: 'A revoked key, a disabled app, or a key without the banner API.',
};

const SDK_PARAMS = [
  queryParam('verbose', '`1`: answer `{"status": …, "error": …}` instead of `1`/`0`.', { enum: ['0', '1'] }),
  queryParam('ip', '`0`: do not geolocate the caller (the SDKs’ server-side default).', { enum: ['0', '1'] }),
];

const SCHEMAS: Record<string, JsonSchema> = {
  SdkReply: {
    description:
      'Every record stored: `1` (verbose `{"status":1,"error":null}`). Some records rejected: `0` (verbose adds `error` and `failed_records`), still HTTP 200 — the valid ones are stored, and the Unity SDK would otherwise resend the batch for ever, holding back every later event of the device [ours]. The body refused whole (not JSON, over `http.bodyLimit`, not a batch, not `application/json`…): `0` (verbose `{"status":0,"error":"…"}`), HTTP 200 for the same reason: no resend can change it, and nothing of it was stored [ours].',
    oneOf: [
      ref('TrackAccepted'),
      ref('TrackError'),
      {
        type: 'object',
        required: ['status', 'error', 'failed_records'],
        additionalProperties: false,
        properties: {
          status: { const: 0 },
          error: { type: 'string' },
          failed_records: {
            type: 'array',
            items: {
              type: 'object',
              required: ['index', 'field', 'message'],
              additionalProperties: false,
              properties: {
                index: { type: 'integer' },
                field: { type: 'string' },
                message: { type: 'string' },
              },
            },
          },
        },
      },
    ],
  },
  SpecialOfferReply: {
    type: 'object',
    required: ['specialOffer', 'status', 'error'],
    additionalProperties: false,
    properties: {
      specialOffer: {
        description:
          'null when no offer applies: unknown trigger, no condition holds, every match in its cooldown or cap. The grant a call with the same predict_id already got is replayed.',
        oneOf: [{ type: 'null' }, ref('SpecialOffer')],
      },
      status: {
        const: 1,
        description: 'So that a verbose get_feature with this body (no propOverrides) is a success too.',
      },
      error: { type: 'null' },
    },
  },
  SpecialOffer: {
    type: 'object',
    required: ['offerId', 'trigger', 'title', 'imageUrl', 'expiresAt', 'kibotuMetadata'],
    additionalProperties: false,
    properties: {
      offerId: { type: 'string' },
      trigger: { type: 'string' },
      title: { type: 'string' },
      imageUrl: { type: 'string' },
      productId: { type: ['string', 'null'] },
      price: { type: ['number', 'null'] },
      originalPrice: { type: ['number', 'null'] },
      currency: { type: ['string', 'null'] },
      discountPercent: { type: ['number', 'null'], description: 'Whole percent off `originalPrice`.' },
      expiresAt: { type: 'string', format: 'date-time', description: 'Do not show the offer after this.' },
      kibotuMetadata: {
        type: 'object',
        description:
          'Attach to the offer’s tracked events. `variationId` is the experiment’s variation, `-1` outside every experiment [ours].',
        required: ['userId', 'offerId', 'experimentId', 'variationId', 'renderId'],
        properties: {
          userId: { type: 'string' },
          offerId: { type: 'string' },
          countryIso2: { type: ['string', 'null'] },
          experimentId: { type: 'string' },
          variationId: { type: 'integer', minimum: -1 },
          renderId: { type: 'string' },
          occasion: { type: 'string' },
          predictId: { type: ['string', 'null'] },
        },
      },
    },
  },
};

const OFFER_EXAMPLE = {
  specialOffer: {
    offerId: 'vip-level-up-bundle',
    trigger: 'level_up',
    title: 'VIP level-up bundle',
    imageUrl: 'https://cdn.offerd.example/special/vip-level-up-bundle/en.png',
    productId: 'bundle_vip_levelup',
    price: 19.99,
    originalPrice: 39.99,
    currency: 'USD',
    discountPercent: 50,
    expiresAt: '2026-11-20T14:00:00.000Z',
    kibotuMetadata: {
      userId: 'u-1',
      offerId: 'vip-level-up-bundle',
      countryIso2: null,
      experimentId: '',
      variationId: -1,
      renderId: '3f2c6a4e-8d1b-4c52-9e57-0b6f1f4b2a10',
      occasion: 'level_up',
      predictId: 'p-1',
    },
  },
  status: 1,
  error: null,
};

const sdkResponses = (bad: string): Record<string, ResponseObject> => ({
  200: jsonResponse(
    `\`1\`, or \`0\` when some records were rejected (the rest stored) or the body was refused whole (${bad}).`,
    ref('SdkReply'),
  ),
  ...errorResponses('track', AUTH_ERRORS),
});

function sdkOperation(
  operationId: string,
  summary: string,
  description: string,
  body: JsonSchema,
  example: unknown,
): OperationObject {
  return {
    operationId,
    summary,
    description,
    tags: ['Personal offers'],
    security: KEY,
    parameters: SDK_PARAMS,
    requestBody: { required: true, content: { 'application/json': { schema: body, example } } },
    responses: sdkResponses('Not a list of records (or one record), or more than 50.'),
  };
}

const ENGAGE = sdkOperation(
  'engage',
  'Update user profiles (the SDKs’ `people.*`)',
  'Invalid updates are named by index with the schema’s reason (`failed_records` with verbose=1); the rest apply. A user’s properties are the fact `user.properties.<name>` in every banner and special-offer rule.',
  profileUpdatesSchema,
  [{ $set: { vip_level: 4 }, $distinct_id: 'u-1' }],
);

const GROUPS = sdkOperation(
  'groups',
  'Update group profiles (the node SDK’s `groups.*`)',
  'As /engage, for the group `$group_key` + `$group_id`.',
  groupUpdatesSchema,
  [{ $group_key: 'guild', $group_id: 'g-7', $set: { size: 12 } }],
);

const IMPORT = sdkOperation(
  'importEvents',
  'Import historical events',
  'As /track, with `properties.time` required on every event.',
  importBatchSchema,
  [{ event: 'SpecialOfferPopupPurchased', properties: { distinct_id: 'player-1', time: 1732350000 } }],
);

const FEATURE: OperationObject = {
  operationId: 'feature',
  summary: 'A special offer on a trigger (`getSpecialOffer`, `get_feature`)',
  description:
    '`special_offer_on_<trigger>` answers `{"specialOffer": …, "status": 1, "error": null}` from the app’s `specialOffers` rules (docs/special-offers.md); a call whose `predict_id` already got an offer of the trigger gets that grant again, not counted twice. With a `propOverrides` key (the node SDK’s `get_feature`, the rules’ `context`) the offer is decided and granted the same way but the answer is the SDKs’ plain success `1` (verbose `{"status":1,"error":null}`): `getSpecialOffer` with the same `predict_id` then returns it. offerd serves no other feature values: any other `featureName` gets `1` [ours].',
  tags: ['Personal offers'],
  security: KEY,
  parameters: SDK_PARAMS,
  requestBody: {
    required: true,
    content: {
      'application/json': {
        schema: featureBodySchema,
        example: [{ featureName: 'special_offer_on_level_up', distinct_id: 'u-1', predict_id: 'p-1' }],
      },
    },
  },
  responses: {
    200: {
      description:
        'The offer (with `Cache-Control: no-store`), or `1` for get_feature (a `propOverrides` key) and any other feature name; `0` (verbose `{"status":0,"error":"…"}`) for a request refused (no `featureName`, bad `propOverrides`, a special offer without `distinct_id`, a body that is not JSON): HTTP 200 on every SDK route, see SdkReply.',
      content: {
        'application/json': {
          schema: { oneOf: [ref('SpecialOfferReply'), ref('TrackAccepted'), ref('TrackError')] },
          example: OFFER_EXAMPLE,
        },
      },
    },
    ...errorResponses('track', {
      ...AUTH_ERRORS,
      503: 'The app has no valid rules loaded yet.',
    }),
  },
};

/** The SDK routes of the personal-offers API (the `track` family). */
export const SDK_OPENAPI: OpenApiPart = {
  tags: [],
  schemas: SCHEMAS,
  paths: {
    '/import': {
      'x-offerd-family': 'track',
      post: {
        ...IMPORT,
        responses: {
          ...IMPORT.responses,
          ...errorResponses('track', { 503: 'The app has no valid rules loaded yet.' }),
        },
      },
    },
    '/engage': { 'x-offerd-family': 'track', post: ENGAGE },
    '/groups': { 'x-offerd-family': 'track', post: GROUPS },
    '/feature': { 'x-offerd-family': 'track', post: FEATURE },
  },
};
