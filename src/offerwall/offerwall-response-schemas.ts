import type { JsonSchema } from '../http/openapi/openapi-types.js';

/**
 * The offerwall API's response bodies, written once: the API reference publishes them
 * and the test suite holds every response to them. Field names are RevU's.
 */

const int: JsonSchema = { type: 'integer' };
const num: JsonSchema = { type: 'number' };
const str: JsonSchema = { type: 'string' };
const nullableStr: JsonSchema = { type: ['string', 'null'] };

// RevU's page lists eight sub-fields per event but leaves the names of the last two (an
// integer and a boolean) blank; a guessed name would become a contract, so only the six
// named ones are served (docs/offerwall.md, "Decisions of ours").
const offerEvent: JsonSchema = {
  type: 'object',
  description:
    'One reward step. RevU’s Get Personalized page lists eight sub-fields; it leaves the names of the last two (an integer and a boolean) blank and no public RevU page names them, so offerd serves the six named ones rather than guess names clients would come to depend on. Clients should ignore keys they do not know: the two will be added once named.',
  required: ['event_id', 'name', 'user_reward', 'payout', 'conversion_type', 'attribution_window_days'],
  properties: {
    event_id: {
      type: 'string',
      description: 'The first step is `base` [ours]; a postback names one of these.',
    },
    name: str,
    user_reward: num,
    payout: num,
    conversion_type: int,
    attribution_window_days: int,
  },
};

const offer: JsonSchema = {
  type: 'object',
  required: [
    'offer_id',
    'offer_name',
    'headline',
    'description',
    'offer_terms',
    'category',
    'offer_type',
    'total_user_reward',
    'payout',
    'events',
    'click_url',
    'eligible',
    'in_progress',
    'user_completed',
    'score',
    'hot_offers_order',
    'user_status',
  ],
  properties: {
    offer_id: int,
    offer_name: str,
    headline: str,
    description: { type: 'string', description: 'Shown to the user, with offer_terms.' },
    offer_terms: str,
    label: str,
    category: str,
    offer_type: {
      type: 'integer',
      minimum: 0,
      maximum: 11,
      description:
        '0 Undefined, 1 Casino/Gambling, 2 Loyalty Offers, 3 Non Branded Submits, 4 Games, 5 Trial/Purchase, 6 Surveys, 7 Branded, 8 Mobile – Non Gaming, 9 Alcohol/Tobacco/Drugs, 10 Other Mature, 11 Social Casinos.',
    },
    total_user_reward: { type: 'number', description: 'The sum of the events’ user rewards.' },
    payout: { type: 'number', description: 'USD, the sum of the events’ payouts.' },
    attribution_window_days: int,
    events: { type: 'array', items: offerEvent },
    platform: { enum: ['desktop', 'ios', 'android', null] },
    countries: {
      type: 'array',
      items: str,
      description: 'Get Offers targeting, kept in this response too [ours]; empty: every country.',
    },
    min_os_version: nullableStr,
    epc: { type: 'number', description: 'Earnings per click, last 7 days.' },
    tracking_delay: str,
    creatives: {
      type: 'array',
      items: {
        type: 'object',
        required: ['url'],
        properties: { url: str, width: int, height: int, type: str },
      },
    },
    click_url: {
      type: 'string',
      format: 'uri',
      description:
        'offerd’s own signed, expiring click link for this user (HMAC-SHA256, valid for `offerwall.clickLinkTtl`, 30 days by default) [ours]; serve it unmodified.',
    },
    eligible: {
      type: 'boolean',
      description: 'false only for a completed offer shown last, when the rules say `completedOffers: show`.',
    },
    in_progress: { type: 'boolean' },
    user_completed: { type: 'boolean' },
    score: { type: 'number', description: 'The personalization score the ranking used, 6 decimals.' },
    hot_offers_order: { type: 'integer', minimum: 1, description: '1 = best.' },
    user_status: {
      enum: ['in_progress', 'completed', null],
      description: 'The user’s progress [ours: the name].',
    },
    sortmetric: {
      type: 'number',
      description: 'With include_sortmetric=true: the score before rule boosts.',
    },
    conversion_rate: { type: 'number', description: 'With include_sortmetric=true: the offer’s.' },
  },
};

const syncResult: JsonSchema = {
  type: 'object',
  required: ['wallId', 'ok', 'offers', 'source', 'syncedAt', 'error', 'ms'],
  properties: {
    wallId: int,
    ok: { type: 'boolean' },
    offers: {
      type: 'integer',
      description: 'Offers now served (the last good catalog’s when the sync failed).',
    },
    source: { enum: ['file', 'feed'] },
    syncedAt: nullableStr,
    error: nullableStr,
    ms: num,
  },
};

const ban: JsonSchema = {
  type: 'object',
  required: ['id', 'appId', 'type', 'value', 'wallId', 'reason', 'createdAt'],
  additionalProperties: false,
  properties: {
    id: str,
    appId: str,
    type: { enum: ['user', 'ip'] },
    value: { type: 'string', description: 'The uid, or an IPv4/IPv6 address or CIDR range.' },
    wallId: { type: ['integer', 'null'], description: 'null: every wall of the app.' },
    reason: str,
    createdAt: { type: 'string', format: 'date-time' },
  },
};

export const OFFERWALL_RESPONSE_SCHEMAS: Record<string, JsonSchema> = {
  OfferwallOffer: offer,
  PersonalizedOffers: {
    type: 'object',
    required: ['status', 'publisher_id', 'wall_id', 'support_id', 'total', 'offset', 'limit', 'offers'],
    additionalProperties: false,
    properties: {
      status: { const: 'success' },
      publisher_id: int,
      wall_id: int,
      support_id: { type: 'integer', description: 'This request’s reference id, findable in the logs.' },
      total: { type: 'integer', description: 'Eligible offers before the numoffers cut.' },
      offset: { const: 0 },
      limit: { type: 'integer', description: 'How many offers are returned.' },
      experiment_id: {
        type: ['string', 'null'],
        description: 'Echoed from the request; null when absent [ours].',
      },
      bid_floor: {
        type: ['number', 'null'],
        description: 'Echoed from the request; null when absent [ours].',
      },
      offers: { type: 'array', items: { $ref: '#/components/schemas/OfferwallOffer' } },
    },
  },
  PostbackRecorded: {
    type: 'object',
    required: [
      'status',
      'support_id',
      'duplicate',
      'wall_id',
      'offer_id',
      'event_id',
      'transaction_id',
      'sid3',
      'in_progress',
      'user_completed',
      'completed_events',
    ],
    additionalProperties: false,
    properties: {
      status: { const: 'success' },
      support_id: int,
      duplicate: {
        type: 'boolean',
        description: 'true: this transaction_id was recorded before; nothing changed.',
      },
      wall_id: int,
      offer_id: int,
      event_id: str,
      transaction_id: str,
      sid3: { type: ['string', 'null'], description: 'The first click’s sid3; null without a click.' },
      in_progress: { type: 'boolean' },
      user_completed: {
        type: 'boolean',
        description: 'The offer’s final event (the last of events[]) was recorded.',
      },
      completed_events: { type: 'array', items: str },
    },
  },
  CatalogStatus: {
    type: 'object',
    required: ['appId', 'walls'],
    properties: {
      appId: str,
      walls: {
        type: 'array',
        items: {
          type: 'object',
          required: ['wallId', 'source', 'offers', 'syncedAt', 'feed', 'lastSync'],
          properties: {
            wallId: int,
            source: { enum: ['file', 'feed'] },
            offers: int,
            syncedAt: nullableStr,
            feed: {
              type: ['object', 'null'],
              properties: { url: str, schedule: nullableStr },
            },
            lastSync: {
              type: ['object', 'null'],
              required: ['at', 'ok', 'error'],
              properties: { at: str, ok: { type: 'boolean' }, error: nullableStr },
            },
          },
        },
      },
    },
  },
  CatalogSync: {
    type: 'object',
    required: ['appId', 'results'],
    properties: { appId: str, results: { type: 'array', items: syncResult } },
  },
  Ban: ban,
  BanList: {
    type: 'object',
    required: ['bans'],
    additionalProperties: false,
    properties: { bans: { type: 'array', items: { $ref: '#/components/schemas/Ban' } } },
  },
};
