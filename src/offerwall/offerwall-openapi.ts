import { adminErrors, appIdParam } from '../admin/admin-openapi.js';
import {
  errorResponses,
  json,
  jsonResponse,
  paramsOf,
  pathParam,
  ref,
} from '../http/openapi/openapi-builders.js';
import type { OpenApiPart, OperationObject } from '../http/openapi/openapi-types.js';
import { OFFERWALL_RESPONSE_SCHEMAS } from './offerwall-response-schemas.js';
import {
  banBodySchema,
  catalogSyncQuerySchema,
  clickQuerySchema,
  personalizedPathSchema,
  personalizedQuerySchema,
  postbackSchema,
} from './offerwall-schemas.js';

const TAG = ['Offerwall'];
const ADMIN = [{ adminToken: [] }];
const BANNED =
  '`USER_BANNED` or `IP_BANNED`: a definitive "do not serve"; a user ban is reported before an IP ban.';

function postbackOperation(method: 'get' | 'post'): OperationObject {
  const signed =
    'Signed by the network: `sig` = HMAC-SHA256 (hex) with the app’s `offerwall.postbackSecret` over wall, uid, offer, event and transaction_id joined by newlines [ours]. Idempotent by `transaction_id` (per app): a replay answers `duplicate: true` and changes nothing [ours].';
  return {
    operationId: method === 'get' ? 'postback' : 'postbackJson',
    summary:
      method === 'get'
        ? 'Record an event completion (query string)'
        : 'Record an event completion (JSON body)',
    description: method === 'get' ? signed : `${signed} The fields may come in the query or the body, alike.`,
    tags: TAG,
    security: [],
    ...(method === 'get'
      ? { parameters: paramsOf('query', postbackSchema) }
      : { requestBody: { required: true, content: json(postbackSchema) } }),
    responses: {
      200: jsonResponse('Recorded, or a duplicate of a recorded one.', ref('PostbackRecorded')),
      ...errorResponses('offerwall', {
        400: '`INVALID_PARAMETER`: a missing or bad field, or an event the offer does not have.',
        403: '`INVALID_SIGNATURE`.',
        404: '`WALL_NOT_FOUND`, or `OFFER_NOT_FOUND` (not in the wall’s catalog).',
        409: '`TRANSACTION_CONFLICT`: the transaction_id was used for another user, offer or event.',
      }),
    },
  };
}

const personalized: OperationObject = {
  operationId: 'getPersonalizedOffers',
  summary: 'The top numoffers eligible offers of a wall for one user, best first',
  description:
    'No API key: scoped by the wall and the user, and callable from browsers (CORS open). Results are per user and per moment (`Cache-Control: no-store`). Private, shared, loopback, link-local and documentation addresses have no country [ours]; `device` and `os_version` default to what the User-Agent says [ours]. A ban answers 403 before any other parameter error once uid and wall are readable and the wall exists (the ip parameter, else the caller’s address, for IP bans; an unreadable ip leaves only user bans).',
  tags: TAG,
  security: [],
  parameters: [...paramsOf('path', personalizedPathSchema), ...paramsOf('query', personalizedQuerySchema)],
  responses: {
    200: jsonResponse('The ranked offers.', ref('PersonalizedOffers'), { rulesVersion: true }),
    ...errorResponses('offerwall', {
      400: '`INVALID_PARAMETER`, naming each bad parameter in `error.fields` [ours].',
      403: BANNED,
      404: '`WALL_NOT_FOUND`, or `NO_ELIGIBLE_OFFERS`: nothing is eligible for this user now.',
      503: '`RULES_NOT_READY`: the app has no valid rules loaded yet.',
    }),
  },
};

const click: OperationObject = {
  operationId: 'click',
  summary: 'Follow a click link: records the click and redirects to the advertiser',
  description:
    'offerd’s own link (the vendor’s click_url is the network’s) [ours]: signed with HMAC-SHA256 over the link’s offer group, expiring at `exp`. The first click starts the offer’s progress (`in_progress`).',
  tags: TAG,
  security: [],
  parameters: paramsOf('query', clickQuerySchema),
  responses: {
    302: {
      description: 'To the offer’s `click_url_base` with uid, sid3, offer and wall filled in.',
      headers: {
        Location: { description: 'The advertiser’s URL.', schema: { type: 'string', format: 'uri' } },
      },
    },
    ...errorResponses('offerwall', {
      400: '`INVALID_PARAMETER`.',
      403: `\`INVALID_SIGNATURE\` (a changed exp, offer or list), or ${BANNED}`,
      404: '`WALL_NOT_FOUND` or `OFFER_NOT_FOUND`.',
      410: '`LINK_EXPIRED`: fetch the offers again for a fresh link.',
    }),
  },
};

const ADMIN_PATHS: OpenApiPart['paths'] = {
  '/admin/apps/{appId}/catalog': {
    'x-offerd-family': 'admin',
    get: {
      operationId: 'getCatalogStatus',
      summary: 'Each wall’s catalog: source, offers, last sync',
      tags: ['Offerwall', 'Admin'],
      security: ADMIN,
      parameters: [appIdParam],
      responses: {
        200: jsonResponse('The app’s walls.', ref('CatalogStatus')),
        ...adminErrors({ 404: 'No app with walls.' }),
      },
    },
  },
  '/admin/apps/{appId}/catalog/sync': {
    'x-offerd-family': 'admin',
    post: {
      operationId: 'syncCatalog',
      summary: 'Sync the walls’ catalogs from their feeds now',
      tags: ['Offerwall', 'Admin'],
      security: ADMIN,
      parameters: [appIdParam, ...paramsOf('query', catalogSyncQuerySchema)],
      responses: {
        200: jsonResponse('Every feed synced.', ref('CatalogSync')),
        502: jsonResponse(
          'A feed failed; its last good catalog keeps serving, as its result says.',
          ref('CatalogSync'),
        ),
        ...adminErrors({
          400: 'A bad `wall`.',
          404: 'No app with walls.',
          409: '`NO_FEED`: no such wall with a feed.',
        }),
      },
    },
  },
  '/admin/apps/{appId}/bans': {
    'x-offerd-family': 'admin',
    get: {
      operationId: 'listBans',
      summary: 'The app’s bans',
      tags: ['Offerwall', 'Admin'],
      security: ADMIN,
      parameters: [appIdParam],
      responses: {
        200: jsonResponse('Every ban.', ref('BanList')),
        ...adminErrors({ 404: 'No app with walls.' }),
      },
    },
    post: {
      operationId: 'addBan',
      summary: 'Ban a user or an IP address or range from the app’s walls',
      tags: ['Offerwall', 'Admin'],
      security: ADMIN,
      parameters: [appIdParam],
      requestBody: {
        required: true,
        content: json(banBodySchema, { type: 'user', value: 'cheater', reason: 'chargebacks' }),
      },
      responses: {
        200: jsonResponse(
          'The app already holds this ban (same type, value and wall): that one, unchanged.',
          ref('Ban'),
        ),
        201: jsonResponse('Stored.', ref('Ban')),
        ...adminErrors({
          400: 'A bad field; an IP range wider than /8 (IPv4) or /32 (IPv6).',
          404: 'No app with walls.',
        }),
      },
    },
  },
  '/admin/apps/{appId}/bans/{banId}': {
    'x-offerd-family': 'admin',
    delete: {
      operationId: 'removeBan',
      summary: 'Lift a ban',
      tags: ['Offerwall', 'Admin'],
      security: ADMIN,
      parameters: [appIdParam, pathParam('banId', 'The ban’s id.')],
      responses: {
        204: { description: 'Lifted.' },
        ...adminErrors({ 404: 'No app with walls, or no such ban.' }),
      },
    },
  },
};

/** The offerwall API: personalized offers, click links, postbacks, and its admin endpoints. */
export const OFFERWALL_OPENAPI: OpenApiPart = {
  tags: [{ name: 'Offerwall', description: 'RevU-compatible personalized offerwall (docs/offerwall.md).' }],
  schemas: OFFERWALL_RESPONSE_SCHEMAS,
  paths: {
    '/api/v1/users/{uid}/personalized': { 'x-offerd-family': 'offerwall', get: personalized },
    '/api/v1/click': { 'x-offerd-family': 'offerwall', get: click },
    '/api/v1/postback': {
      'x-offerd-family': 'offerwall',
      get: postbackOperation('get'),
      post: postbackOperation('post'),
    },
    ...ADMIN_PATHS,
  },
};
