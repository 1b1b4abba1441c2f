import type { JsonSchema } from '../http/openapi/openapi-types.js';

const count: JsonSchema = { type: 'integer', minimum: 0 };
const counts: JsonSchema = { type: 'object', additionalProperties: count };
const share: JsonSchema = {
  type: 'object',
  required: ['requests', 'changed', 'share'],
  additionalProperties: false,
  properties: { requests: count, changed: count, share: { type: 'number', minimum: 0, maximum: 1 } },
};
const money: JsonSchema = { type: ['number', 'null'] };
const offerFigures: JsonSchema = {
  type: 'object',
  required: ['offersShown', 'averageEpc', 'averageUserReward', 'averagePayout'],
  additionalProperties: false,
  properties: { offersShown: count, averageEpc: money, averageUserReward: money, averagePayout: money },
};
const namedOffers: JsonSchema = {
  type: 'array',
  maxItems: 10,
  items: {
    type: 'object',
    required: ['offerId', 'name', 'requests'],
    additionalProperties: false,
    properties: { offerId: { type: 'string' }, name: { type: 'string' }, requests: count },
  },
};
const beforeAfter = (schema: JsonSchema): JsonSchema => ({
  type: 'object',
  required: ['before', 'after'],
  additionalProperties: false,
  properties: { before: schema, after: schema },
});

/** One API's replayed impact (src/fixtures/replay-impact.ts `ApiImpact`). */
const apiImpact: JsonSchema = {
  type: 'object',
  required: [
    'requests',
    'changed',
    'share',
    'changedFields',
    'bySegment',
    'byCountry',
    'mixBefore',
    'mixAfter',
  ],
  additionalProperties: false,
  properties: {
    ...(share.properties as Record<string, JsonSchema>),
    changedFields: {
      ...counts,
      description:
        'Per field of the reply the player is served, in how many requests it changed: banner `imageFullUrl`, `experimentId`, `variationId`, `occasion`; offerwall `offerIds` (ranking order), `topOffers.<field>` of an offer shown in both; journeys `offers` (types created), `created.<field>` (title, pointsValue...). Per-request values (render ids, expiry instants) are not compared.',
    },
    bySegment: {
      type: 'object',
      additionalProperties: share,
      description: 'Changed share per segment the request was in under the live rules.',
    },
    byCountry: { type: 'object', additionalProperties: share },
    mixBefore: {
      ...counts,
      description:
        'Requests per outcome under the live rules: banner `bannerId/experiment:variation`, offerwall top offer id, journeys offer type created.',
    },
    mixAfter: { ...counts, description: 'The same under the candidate.' },
    gained: {
      ...counts,
      description: 'Offerwall: offer ids shown under the candidate and not before, in how many requests.',
    },
    lost: counts,
    topOffers: {
      ...beforeAfter(offerFigures),
      description: 'Offerwall: averages over the offers shown (each request’s top numoffers).',
    },
    gainedOffers: {
      ...namedOffers,
      description: 'Offerwall: the offers most often gained, with their names.',
    },
    lostOffers: namedOffers,
    offersCreated: {
      ...beforeAfter(counts),
      description: 'Journeys: offers created per type by the generation run.',
    },
    firstAssignments: {
      ...share,
      description:
        'Banner: the requests that give the player a first variation of an experiment under the serving rules or the candidate (the player held none), and how many of them change. A weight change moves only these: it is what the candidate does to new players like them; the players replayed keep their stored variation.',
    },
  },
};

const rulesRef = (extra: Record<string, JsonSchema> = {}): JsonSchema => ({
  type: 'object',
  required: ['version', 'hash', ...Object.keys(extra)],
  additionalProperties: false,
  properties: { version: { type: 'string' }, hash: { type: 'string' }, ...extra },
});

export const IMPACT_RESPONSE_SCHEMAS: Record<string, JsonSchema> = {
  ImpactReport: {
    type: 'object',
    description: 'The app’s recorded decisions re-decided under the live rules and under the candidate.',
    required: [
      'appId',
      'live',
      'candidate',
      'decisions',
      'sample',
      'replayed',
      'skipped',
      'oversize',
      'skippedBecause',
      'byApi',
    ],
    additionalProperties: false,
    properties: {
      appId: { type: 'string' },
      live: rulesRef(),
      candidate: rulesRef({ source: { enum: ['pending', 'rules'] }, rulesDir: { type: 'string' } }),
      decisions: { ...count, description: 'Recorded decisions read from the log.' },
      fixtures: {
        type: 'object',
        description:
          'With the fixtures gate on (rules.fixturesGate): whether the candidate would go live. `failures` (at most 20, `file:line fixture …` as the reload names them) empty: every fixture case passes; else a reload of these files would be refused and the live rules keep serving [ours].',
        required: ['failures'],
        additionalProperties: false,
        properties: { failures: { type: 'array', items: { type: 'string' } } },
      },
      sample: {
        type: 'object',
        description:
          'Which recorded decisions were read: the most recent `limitPerApi` of each API; `olderLeftOut` when the log holds older ones that were not replayed.',
        required: ['order', 'limitPerApi', 'rate', 'byApi'],
        additionalProperties: false,
        properties: {
          order: { enum: ['most-recent'] },
          rate: {
            type: 'number',
            minimum: 0,
            maximum: 1,
            description:
              'The decision log sample rate in force (decisionLog.sampleRate): the share of served requests recorded, so 0.01 means the replayed decisions stand for about 100 times as many requests.',
          },
          limitPerApi: { type: 'integer', minimum: 1 },
          byApi: {
            type: 'object',
            additionalProperties: {
              type: 'object',
              required: ['read', 'olderLeftOut'],
              additionalProperties: false,
              properties: { read: count, olderLeftOut: { type: 'boolean' } },
            },
          },
        },
      },
      replayed: count,
      skipped: {
        ...count,
        description: 'Decisions that cannot be decided again (an API the rules lack, `oversize`).',
      },
      oversize: {
        ...count,
        description:
          'Of the skipped, decisions recorded without their request or user state, which were too large to keep (16 KB and 256 KB of JSON): the report leaves those users out.',
      },
      skippedBecause: {
        type: 'object',
        description:
          'Why decisions were skipped, by reason, with how many (at most 10 distinct reasons; the rest under `other`).',
        additionalProperties: count,
      },
      byApi: { type: 'object', additionalProperties: apiImpact },
    },
  },
};
