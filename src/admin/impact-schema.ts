import { DEFAULT_REPLAY_LIMIT, MAX_REPLAY_LIMIT } from '../fixtures/recent-decisions.js';

/** The impact request (validation and the OpenAPI document read this one schema). */
export const impactBodySchema = {
  type: 'object',
  additionalProperties: false,
  description:
    'The candidate to compare with the live rules: `source: pending` (the app’s files on disk that do not serve) or `rules`, a draft rules directory on the server holding the app’s folder. Exactly one of them [ours].',
  properties: {
    source: {
      enum: ['pending'],
      description: 'The app’s rule files on disk (pending when they differ from what serves).',
    },
    rules: {
      type: 'string',
      minLength: 1,
      maxLength: 1024,
      pattern: '^[^\\u0000]*$',
      description:
        'A draft rules directory on the server (absolute, or relative to offerd’s working directory) with a folder named after the app.',
    },
    api: {
      enum: ['banner', 'offerwall', 'journeys'],
      description: 'Replay only this API’s recorded decisions; default every API.',
    },
    limit: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_REPLAY_LIMIT,
      description: `Replay the most recent this many recorded decisions of each API (default ${DEFAULT_REPLAY_LIMIT}): the replay runs while the request waits [ours].`,
    },
  },
} as const;
