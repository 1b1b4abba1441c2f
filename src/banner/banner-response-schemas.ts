import type { JsonSchema } from '../http/openapi/openapi-types.js';

/**
 * The banner API's response bodies, written once: the API reference publishes them and
 * the test suite holds every response to them (test/helpers/openapi-check.ts).
 */

const kibotuMetadata: JsonSchema = {
  type: 'object',
  description:
    'The "personalization key": clients keep it with the popup and attach it to the events they track about it.',
  required: ['userId', 'offerId', 'countryIso2', 'experimentId', 'variationId', 'renderId', 'occasion'],
  additionalProperties: false,
  properties: {
    userId: { type: 'string' },
    offerId: { type: 'string', description: 'As sent; a number is answered as its decimal text.' },
    countryIso2: {
      type: ['string', 'null'],
      description:
        'The request’s country, else the caller’s by geo-IP; null when neither is known (a private or loopback address) [ours].',
    },
    experimentId: {
      type: 'string',
      description:
        '`""` (not null) for users outside every experiment: typed SDK clients read a string [ours].',
    },
    variationId: {
      type: 'integer',
      minimum: 0,
      description:
        '0 is the control group (it gets the default banner); a user keeps the variation stored at first exposure.',
    },
    renderId: {
      type: 'string',
      description: 'Unique per response (a UUID), for attributing tracked events [ours].',
    },
    occasion: { type: 'string', description: 'The request’s occasion, else the experiment’s, else `""`.' },
  },
};

export const BANNER_RESPONSE_SCHEMAS: Record<string, JsonSchema> = {
  BannerResponse: {
    type: 'object',
    required: ['imageFullUrl', 'kibotuMetadata'],
    additionalProperties: false,
    properties: {
      imageFullUrl: { type: 'string', format: 'uri', description: 'The banner image for this user.' },
      kibotuMetadata,
    },
  },
  TrackAccepted: {
    description:
      'The Kibotu SDK reads success as a body of exactly `1`, or with `verbose=1` `{"status": 1, "error": null}`.',
    oneOf: [
      { const: 1 },
      {
        type: 'object',
        required: ['status', 'error'],
        additionalProperties: false,
        properties: { status: { const: 1 }, error: { type: 'null' } },
      },
    ],
  },
  ExperimentResults: {
    type: 'object',
    required: ['appId', 'rulesVersion', 'experimentId', 'bucketVersion', 'variations'],
    properties: {
      appId: { type: 'string' },
      rulesVersion: { type: 'string' },
      experimentId: { type: 'string' },
      status: { enum: ['running', 'paused', 'stopped'] },
      bucketVersion: { type: 'integer', minimum: 1 },
      trafficAllocation: { type: 'number' },
      events: { type: 'array', items: { type: 'string' } },
      variations: {
        type: 'array',
        items: {
          type: 'object',
          required: ['variationId', 'name', 'users', 'exposures', 'conversions'],
          properties: {
            variationId: { type: 'integer', minimum: 0 },
            name: { type: 'string' },
            control: { type: 'boolean' },
            weight: { type: ['number', 'null'] },
            users: { type: 'integer', minimum: 0 },
            exposures: { type: 'integer', minimum: 0 },
            revenue: {
              type: ['object', 'null'],
              description:
                "Revenue per user of the primary metric's value property: perUser with its 95 % interval; against control the Welch difference and the delta-method uplift.",
            },
            conversions: {
              type: 'object',
              description: 'By event name: converted users, rate, and against control uplift, z and p-value.',
              additionalProperties: {
                type: 'object',
                required: ['users', 'rate'],
                properties: {
                  users: { type: 'integer', minimum: 0 },
                  rate: { type: ['number', 'null'] },
                  uplift: { type: ['number', 'null'] },
                  z: { type: ['number', 'null'] },
                  pValue: { type: ['number', 'null'] },
                },
              },
            },
          },
        },
      },
    },
  },
};
