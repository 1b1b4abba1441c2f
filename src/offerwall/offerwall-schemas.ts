/**
 * The offerwall API's request schemas (JSON Schema draft 2020-12): written once,
 * validated with ajv at the edge (offerwall-params.ts) and published in the API
 * reference. Query values arrive as text; offerwall-params reads a value as an integer,
 * number or boolean only when it is written exactly so (see `queryInput`).
 */
import type { SchemaMessages } from '../http/request-schema.js';
import { CLICK_GROUP } from './domain/signatures.js';

/** Printable ASCII: nothing that could split a signed field (newline, tab). */
const ASCII = '^[\\x20-\\x7e]+$';
const MAX_WALL = 2 ** 31 - 1;
/** 9999-12-31T23:59:59Z: any later `exp` is no link of ours. */
const MAX_EXP = 253_402_300_799;
/** A positive integer as offerd writes one: no sign, no leading zero, at most 16 digits. */
const ID = '[1-9][0-9]{0,15}';

const ascii = (maxLength: number, title: string, description: string) =>
  ({ title, description, type: 'string', maxLength, pattern: ASCII }) as const;
const asciiMessage = (maxLength: number) => `must be printable ASCII of at most ${maxLength} characters`;

const wall = {
  title: 'Wall id',
  description: 'The offer wall, as configured for the app.',
  type: 'integer',
  minimum: 1,
  maximum: MAX_WALL,
} as const;
const offer = {
  title: 'Offer id',
  description: 'An offer of the wall’s catalog.',
  type: 'integer',
  minimum: 1,
  maximum: Number.MAX_SAFE_INTEGER,
} as const;
/** Long enough for a JWT session token, which publishers pass as their sub id. */
const SID3_MAX = 4096;
const sid3 = ascii(
  SID3_MAX,
  'Sub id',
  'The publisher’s session or sub id (up to 4096 characters, so a JWT fits), echoed in click links and postbacks.',
);
const sig = ascii(128, 'Signature', 'HMAC-SHA256 of the signed fields, hex.');

const wallMessage = `must be an integer from 1 to ${MAX_WALL}`;
const offerMessage = `must be an integer from 1 to ${Number.MAX_SAFE_INTEGER}`;

/** `GET /api/v1/users/{uid}/personalized`: its path. */
export const personalizedPathSchema = {
  title: 'Personalized offers path',
  type: 'object',
  required: ['uid'],
  properties: {
    uid: {
      title: 'User id',
      description: 'The publisher’s user id: printable ASCII, 1 to 128 characters.',
      type: 'string',
      minLength: 1,
      maxLength: 128,
      pattern: ASCII,
    },
  },
} as const;

/** `GET /api/v1/users/{uid}/personalized`: its query. */
export const personalizedQuerySchema = {
  title: 'Personalized offers query',
  type: 'object',
  required: ['wall', 'numoffers'],
  properties: {
    wall,
    numoffers: {
      title: 'Number of offers',
      description: 'How many offers to return at most.',
      type: 'integer',
      minimum: 1,
      maximum: 500,
    },
    sid3,
    device: {
      title: 'Device',
      description: 'The user’s platform; absent: read from the User-Agent.',
      enum: ['desktop', 'ios', 'android'],
    },
    ip: {
      title: 'IP address',
      description: 'The user’s IPv4 address (for geo targeting and IP bans); absent: the caller’s address.',
      type: 'string',
      format: 'ipv4',
    },
    os_version: {
      title: 'OS version',
      description:
        'The platform’s version, such as 17.1; absent: read from the User-Agent when device is absent too.',
      type: 'string',
      pattern: '^[0-9]+(\\.[0-9]+){0,2}$',
    },
    include_sortmetric: {
      title: 'Include sort metric',
      description: 'true adds each offer’s sortmetric (its score before rule boosts).',
      type: 'boolean',
    },
    bid_floor: {
      title: 'Bid floor',
      description: 'Offers paying less than this are not eligible (a decimal number, no sign).',
      type: 'number',
      minimum: 0,
    },
    experiment_id: ascii(
      128,
      'Experiment id',
      'The publisher’s experiment label, readable by rules as request.experimentId.',
    ),
  },
} as const;

export const personalizedMessages: SchemaMessages = {
  uid: 'must be printable ASCII of 1 to 128 characters',
  wall: wallMessage,
  numoffers: 'must be an integer from 1 to 500',
  sid3: asciiMessage(SID3_MAX),
  device: 'must be one of desktop, ios, android',
  ip: 'must be an IPv4 address',
  os_version: 'must be a number such as 17.1',
  include_sortmetric: 'must be true or false',
  bid_floor: 'must be a number',
  experiment_id: asciiMessage(128),
};

/** `GET /api/v1/click`: the query of a click link offerd served. */
export const clickQuerySchema = {
  title: 'Click link',
  type: 'object',
  required: ['wall', 'uid', 'offer', 'sig'],
  properties: {
    wall,
    uid: ascii(128, 'User id', 'The user the link was served to.'),
    offer,
    offers: {
      title: 'Offer group',
      description: `The offer ids the link's signature covers: 1 to ${CLICK_GROUP} distinct ids separated by commas; absent on a legacy link.`,
      type: 'string',
      maxLength: 17 * CLICK_GROUP,
      pattern: `^${ID}(,${ID}){0,${CLICK_GROUP - 1}}$`,
    },
    sid3,
    exp: {
      title: 'Expiry',
      description: 'Unix seconds from which the link is refused (410); absent on a legacy link.',
      type: 'integer',
      minimum: 0,
      maximum: MAX_EXP,
    },
    sig,
  },
} as const;

export const clickQueryMessages: SchemaMessages = {
  wall: wallMessage,
  uid: asciiMessage(128),
  offer: offerMessage,
  offers: `must be 1 to ${CLICK_GROUP} distinct offer ids separated by commas`,
  sid3: asciiMessage(SID3_MAX),
  exp: `must be an integer from 0 to ${MAX_EXP}`,
  sig: asciiMessage(128),
};

/** `GET|POST /api/v1/postback`: the advertiser's report, as a query string or a JSON body of strings. */
export const postbackSchema = {
  title: 'Postback',
  type: 'object',
  required: ['wall', 'uid', 'offer', 'event', 'transaction_id', 'sig'],
  properties: {
    wall,
    uid: ascii(128, 'User id', 'The user who completed the event.'),
    offer,
    event: ascii(64, 'Event id', 'One of the offer’s events; its final event completes the offer.'),
    transaction_id: ascii(
      128,
      'Transaction id',
      'The advertiser’s id of this completion: a repeat is a duplicate, not a second completion.',
    ),
    sig,
  },
} as const;

export const postbackMessages: SchemaMessages = {
  wall: wallMessage,
  uid: asciiMessage(128),
  offer: offerMessage,
  event: asciiMessage(64),
  transaction_id: asciiMessage(128),
  sig: asciiMessage(128),
};

/** `POST /admin/apps/{appId}/bans`. */
export const banBodySchema = {
  title: 'Ban',
  type: 'object',
  required: ['type', 'value', 'reason'],
  // A misspelt field (wallID) is refused, never stored beside the ban.
  additionalProperties: false,
  properties: {
    type: {
      title: 'Ban type',
      description: 'user bans a uid, ip an address or CIDR range.',
      enum: ['user', 'ip'],
    },
    value: {
      title: 'Banned value',
      description: 'A uid, or an IP address or CIDR range (type ip).',
      type: 'string',
      minLength: 1,
      maxLength: 128,
      pattern: ASCII,
    },
    wallId: {
      title: 'Wall',
      description: 'One of the app’s walls; absent or null: every wall of the app.',
      type: ['integer', 'null'],
    },
    reason: {
      title: 'Reason',
      description: 'Why, for the people who read the ban list.',
      type: 'string',
      maxLength: 500,
      pattern: '\\S',
    },
  },
} as const;

export const banBodyMessages: SchemaMessages = {
  type: 'must be user or ip',
  value: 'must be a uid, or an IP address or CIDR range',
  wallId: 'must be one of this app’s walls',
  reason: 'must be a non-empty string of at most 500 characters',
};

/** `POST /admin/apps/{appId}/catalog/sync`: its query. */
export const catalogSyncQuerySchema = {
  title: 'Catalog sync query',
  type: 'object',
  additionalProperties: false,
  properties: {
    wall: {
      title: 'Wall id',
      description: 'Sync only this wall; absent: every wall of the app with a feed.',
      type: 'integer',
    },
  },
} as const;

export const catalogSyncQueryMessages: SchemaMessages = { wall: 'must be an integer' };
