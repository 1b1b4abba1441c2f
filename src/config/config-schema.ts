import { DURATION_PATTERN } from '../journeys/domain/duration.js';

/** JSON Schema of config/offerd.yaml (draft 2020-12, strict). */
export const configSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  required: ['apps'],
  properties: {
    admin: {
      type: 'object',
      additionalProperties: false,
      properties: { token: { type: 'string', minLength: 8 } },
    },
    http: {
      type: 'object',
      additionalProperties: false,
      properties: {
        bodyLimit: { type: 'string', pattern: '^[0-9]+(b|kb|mb)$' },
        trustedProxies: { type: 'array', items: { type: 'string' } },
        publicUrl: {
          type: 'string',
          pattern: '^https?://[^/?#]+(/[^?#]*)?$',
          description: 'base URL clients reach offerd at; offerwall click links start with it',
        },
      },
    },
    rules: {
      type: 'object',
      additionalProperties: false,
      properties: {
        fixturesGate: {
          type: 'boolean',
          description:
            "run the app's fixtures (rules/<app>/tests) on every reload; failing ones keep a change out",
        },
      },
    },
    decisionLog: {
      type: 'object',
      additionalProperties: false,
      properties: {
        sampleRate: {
          type: 'number',
          minimum: 0,
          maximum: 1,
          description: 'share of served decisions recorded for replay, 0..1 (0.01: one in a hundred; 0: off)',
        },
        maxPerApi: {
          type: 'integer',
          minimum: 1,
          maximum: 1000000,
          description: 'decisions kept per app and API; the oldest are dropped',
        },
      },
    },
    offerwall: {
      type: 'object',
      additionalProperties: false,
      properties: {
        clickLinkTtl: {
          type: 'string',
          pattern: DURATION_PATTERN,
          description: 'how long a click link stays valid, e.g. 30d (m, h, d or w)',
        },
        legacyLinksUntil: {
          type: 'string',
          format: 'date-time',
          description: 'click links signed before links expired are accepted until this instant',
        },
      },
    },
    geoip: {
      type: 'object',
      additionalProperties: false,
      properties: { database: { type: 'string', description: 'a GeoIP2/GeoLite2 country .mmdb file' } },
    },
    apps: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'name', 'status', 'keys'],
        properties: {
          id: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' },
          name: { type: 'string', minLength: 1 },
          status: { enum: ['active', 'disabled'] },
          keys: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['id', 'hash', 'apis'],
              properties: {
                id: { type: 'string', minLength: 1 },
                hash: { type: 'string', pattern: '^sha256:[0-9a-f]{64}$' },
                apis: { type: 'array', minItems: 1, items: { enum: ['banner', 'journeys'] } },
                environment: { enum: ['live', 'test'] },
                revoked: { type: 'boolean' },
              },
            },
          },
          offerwall: {
            type: 'object',
            additionalProperties: false,
            required: ['clickSecret', 'postbackSecret'],
            properties: {
              clickSecret: { type: 'string', minLength: 16 },
              postbackSecret: { type: 'string', minLength: 16 },
            },
          },
          journeys: {
            type: 'object',
            additionalProperties: false,
            properties: {
              schedule: {
                type: 'string',
                minLength: 1,
                description: "cron expression of the offer generation job, or 'off'",
              },
            },
          },
          walls: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['id', 'publisherId'],
              properties: {
                id: { type: 'integer', minimum: 1 },
                publisherId: { type: 'integer', minimum: 1 },
                catalog: {
                  type: 'string',
                  minLength: 1,
                  description: 'Get Offers JSON file, relative to this file',
                },
                feed: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['url'],
                  properties: {
                    url: { type: 'string', pattern: '^https?://' },
                    apiKey: { type: 'string', minLength: 1 },
                    pageSize: { type: 'integer', minimum: 1, maximum: 1000 },
                    timeoutMs: { type: 'integer', minimum: 1, maximum: 120000 },
                    retries: { type: 'integer', minimum: 0, maximum: 10 },
                    backoffMs: { type: 'integer', minimum: 0, maximum: 60000 },
                    schedule: { type: 'string', minLength: 1, description: 'cron expression (croner)' },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
} as const;
