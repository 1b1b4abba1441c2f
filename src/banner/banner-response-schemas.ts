import type { JsonSchema } from '../http/openapi/openapi-types.js';
import { EXPERIMENT_RESPONSE_SCHEMAS } from './experiment-response-schemas.js';

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
      minimum: -1,
      description:
        '0 is the control group (it gets the default banner); `-1` a user outside every experiment (never 0) [ours]; a user keeps the variation stored at first exposure.',
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
  ...EXPERIMENT_RESPONSE_SCHEMAS,
};
