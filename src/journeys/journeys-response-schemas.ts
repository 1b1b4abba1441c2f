import type { JsonSchema } from '../http/openapi/openapi-types.js';

/**
 * The journeys API's response bodies, written once: the API reference publishes them and
 * the test suite holds every response to them. Field names are GamifyHost's.
 */

const str: JsonSchema = { type: 'string' };
const int: JsonSchema = { type: 'integer' };
/** Documented string fields: `""` when unset, never null (as GamifyHost's docs show them). */
const text: JsonSchema = { type: 'string' };
const dateTime: JsonSchema = { type: 'string', format: 'date-time' };
const score: JsonSchema = { type: 'integer', minimum: 0, maximum: 100 };
/** The key's environment, spelled as GamifyHost's docs show it. */
const environment: JsonSchema = { enum: ['LIVE', 'TEST'] };
const partnerId: JsonSchema = { type: 'string', description: 'The offerd app the API key belongs to.' };

/** `{status: "success", data}` around `data`, optionally with list `meta`. */
export function success(data: JsonSchema, meta?: JsonSchema): JsonSchema {
  return {
    type: 'object',
    required: ['status', 'data', ...(meta ? ['meta'] : [])],
    additionalProperties: false,
    properties: { status: { const: 'success' }, data, ...(meta ? { meta } : {}) },
  };
}

const profile: JsonSchema = {
  type: 'object',
  required: [
    'id',
    'externalId',
    'partnerId',
    'environment',
    'lifecycleStage',
    'engagementTier',
    'engagementScore',
  ],
  properties: {
    id: { type: 'string', format: 'uuid' },
    externalId: str,
    partnerId,
    environment,
    displayName: text,
    email: text,
    phone: text,
    country: text,
    device: { enum: ['mobile', 'desktop', 'tablet', ''] },
    source: text,
    firstSeenAt: dateTime,
    lastSeenAt: dateTime,
    lifecycleStage: {
      enum: ['new', 'active', 'engaged', 'power_user', 'at_risk', 'churned'],
      description:
        'The vendor leaves precedence and the 7–14-day gap undefined; offerd’s rules make both explicit: churned, at_risk (14–30 days), power_user, engaged, new, active, and active for 7–14 days unseen (not yet at risk) [ours].',
    },
    engagementTier: {
      enum: ['casual', 'regular', 'power_user', 'whale'],
      description:
        'By plays in 30 days, boundaries made exact [ours]: casual < 5, regular 5–14, power_user 15–50, whale > 50.',
    },
    engagementScore: score,
    churnRisk: { ...score, description: 'Not in the vendor’s profile: from rule-defined weights [ours].' },
    totalPlays: int,
    plays7d: int,
    plays30d: int,
    pointsEarned7d: int,
    pointsEarned30d: int,
    campaignsJoined: int,
    winRate: { type: 'number', minimum: 0, maximum: 1 },
    totalEvents: int,
    tags: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
    metadata: { type: 'object' },
    createdAt: dateTime,
    updatedAt: dateTime,
    recommendations: {
      type: 'array',
      description: 'High priority first [ours].',
      items: {
        type: 'object',
        required: ['priority', 'name', 'reason'],
        properties: { priority: { enum: ['high', 'medium', 'low'] }, name: str, reason: str },
      },
    },
  },
};

const event: JsonSchema = {
  type: 'object',
  required: ['id', 'externalId', 'partnerId', 'environment', 'category', 'eventType', 'points', 'occurredAt'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    externalId: str,
    partnerId,
    environment,
    category: {
      type: 'string',
      description: 'Upper-cased: `GAME_PLAY`, `CAMPAIGN`, `POINTS`, `OFFER` (claims)…',
    },
    eventType: str,
    points: int,
    occurredAt: dateTime,
    clientEventId: {
      type: 'string',
      description: 'A retry with a known one stores nothing; `""` when none was sent [ours].',
    },
    metadata: { type: 'object' },
  },
};

const offer: JsonSchema = {
  type: 'object',
  required: [
    'id',
    'externalId',
    'offerType',
    'title',
    'description',
    'pointsValue',
    'status',
    'expiresAt',
    'claimedAt',
    'metadata',
  ],
  properties: {
    id: { type: 'string', format: 'uuid' },
    externalId: str,
    offerType: {
      type: 'string',
      description:
        'welcome_free_play, welcome_bonus, win_back_play, return_bonus, retention_play, vip_play, multiplier_bonus, daily_free_spin (the demo rules’ types; an app’s rules name its own).',
    },
    gameType: text,
    title: str,
    description: str,
    pointsValue: int,
    status: { enum: ['active', 'claimed', 'expired'] },
    createdAt: dateTime,
    expiresAt: dateTime,
    claimedAt: { type: ['string', 'null'], format: 'date-time' },
    metadata: { type: 'object' },
  },
};

const pageMeta: JsonSchema = {
  type: 'object',
  required: ['page', 'limit', 'total', 'totalPages'],
  properties: { page: int, limit: int, total: int, totalPages: int },
};

const counts: JsonSchema = { type: 'object', additionalProperties: { type: 'integer' } };

export const JOURNEYS_RESPONSE_SCHEMAS: Record<string, JsonSchema> = {
  JourneysProfile: profile,
  JourneysEvent: event,
  JourneysOffer: offer,
  ProfileResponse: success({ $ref: '#/components/schemas/JourneysProfile' }),
  TimelineResponse: success(
    {
      type: 'object',
      required: ['events', 'page', 'limit', 'total'],
      properties: {
        events: { type: 'array', items: { $ref: '#/components/schemas/JourneysEvent' } },
        page: int,
        limit: int,
        total: int,
      },
    },
    pageMeta,
  ),
  EventResponse: success({
    type: 'object',
    required: ['event', 'duplicate'],
    properties: { event: { $ref: '#/components/schemas/JourneysEvent' }, duplicate: { type: 'boolean' } },
  }),
  BatchResponse: success({
    type: 'object',
    required: ['accepted', 'duplicates', 'events'],
    properties: {
      accepted: int,
      duplicates: int,
      events: {
        type: 'array',
        items: {
          allOf: [{ $ref: '#/components/schemas/JourneysEvent' }],
          required: ['duplicate'],
          properties: { duplicate: { type: 'boolean' } },
        },
      },
    },
  }),
  OffersResponse: success({
    type: 'object',
    required: ['offers'],
    properties: { offers: { type: 'array', items: { $ref: '#/components/schemas/JourneysOffer' } } },
  }),
  ClaimResponse: success({
    type: 'object',
    required: ['offer'],
    properties: { offer: { $ref: '#/components/schemas/JourneysOffer' } },
  }),
  GenerationReport: {
    type: 'object',
    required: ['appId', 'rulesVersion', 'trigger', 'startedAt', 'durationMs', 'environments', 'totals'],
    properties: {
      appId: str,
      rulesVersion: str,
      trigger: str,
      startedAt: dateTime,
      durationMs: { type: 'number' },
      environments: {
        type: 'array',
        items: {
          type: 'object',
          required: ['environment', 'usersScanned', 'offersCreated', 'offersExpired'],
          properties: {
            environment: { enum: ['live', 'test'] },
            usersScanned: int,
            usersInactive: int,
            usersAtLimit: int,
            offersCreated: counts,
            offersExpired: counts,
            offersRejected: counts,
          },
        },
      },
      totals: {
        type: 'object',
        required: ['usersScanned', 'offersCreated', 'offersExpired'],
        properties: { usersScanned: int, offersCreated: int, offersExpired: int },
      },
    },
  },
};
