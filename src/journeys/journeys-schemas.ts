/**
 * The user-journeys API's request schemas (JSON Schema draft 2020-12): written once,
 * validated with ajv at the edge (journeys-validation.ts) and published in the API
 * reference. What a schema cannot say (a clock a little ahead, metadata nesting and
 * size) is checked in journeys-validation.ts, and what a user holds after a merge by the
 * store (domain/user-bounds.ts).
 */

import { NOT_IN_IDS } from '../http/id-text.js';
import {
  MAX_USER_FIELD_BYTES,
  MAX_USER_FIELD_VALUES,
  MAX_USER_METADATA_KEYS,
  MAX_USER_TAGS,
} from './domain/user-bounds.js';

/** Most events one `POST /track` may carry. */
export const MAX_BATCH = 100;
/**
 * Bytes of one event's `metadata` as JSON (UTF-8), checked in journeys-validation.ts.
 * GamifyHost clients send a few small values (`won`, `campaignId`, a score: under 100
 * bytes in every fixture and example). Without a cap the body limits let one event carry
 * ~0.9 MB: a timeline page of 100 such events was 91 MB and ~2 s of CPU, and 24 at once
 * took the process to 4.9 GB. At 4 KB a full page is 433 KB and ~35 ms of CPU, its client
 * included (.tmp bench, lowdb).
 */
export const MAX_EVENT_METADATA_BYTES = 4096;
/**
 * JSON values of one event's `metadata` (every object, array and scalar counts one),
 * checked with the bytes. 4 KB of `{}` are 1,360 values and 85 KB of heap once stored:
 * 10 batches of 100 such events (4.2 MB) took the heap from 35 to 122 MB. The largest
 * metadata in any fixture, example or SDK test is 7 values; 256 leaves room for 50 keys
 * with a few values each and holds one event's metadata to 16 KB of heap at worst.
 */
export const MAX_EVENT_METADATA_VALUES = 256;

const ID_TEXT = `^(?=.*\\S)[^${NOT_IN_IDS}\\ud800-\\udfff]*$`;

const externalId = {
  title: 'External id',
  description: 'The app’s id of the user.',
  type: 'string',
  minLength: 1,
  maxLength: 128,
  // Not blank, no control character, no lone surrogate (ajv's patterns are Unicode, so a
  // lone one is its own code point): each would be a user no URL names cleanly, and a NUL
  // one no PostgreSQL text column holds.
  // C1, U+2028/U+2029, bidi controls and invisible characters too (id-text.ts). Nor `.` or
  // `..`: a user's URL (/users/{externalId}) would be read as the path's own dot segment, by
  // fetch and Dart's Uri alike, so the user stored under it could not be read back (probe).
  pattern: `^(?!\\.\\.?$)${ID_TEXT.slice(1)}`,
} as const;

/** What a refused externalId is told, for every schema that holds one. */
export const EXTERNAL_ID_MESSAGES = {
  pattern:
    'must hold a visible character, and no control or invisible character or lone surrogate, and not be . or ..',
} as const;
const nullableText = (maxLength: number, title: string) =>
  ({ title, type: ['string', 'null'], maxLength }) as const;
const KEY = { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$' } as const;

/** `POST /v1/user-journeys/users`: creates the user or updates the fields sent. */
export const userPatchSchema = {
  title: 'User',
  type: 'object',
  required: ['externalId'],
  properties: {
    externalId,
    displayName: nullableText(100, 'Display name'),
    email: {
      title: 'Email',
      anyOf: [{ type: 'string', format: 'email', maxLength: 254 }, { type: 'null' }],
    },
    phone: nullableText(20, 'Phone'),
    country: {
      title: 'Country',
      description: 'Two letters, any case (stored in upper case; UK is stored as GB, its ISO 3166-1 code).',
      anyOf: [{ type: 'string', pattern: '^[A-Za-z]{2}$' }, { type: 'null' }],
    },
    device: { title: 'Device', enum: ['mobile', 'desktop', 'tablet', null] },
    source: nullableText(64, 'Acquisition source'),
    tags: {
      title: 'Tags',
      description: `At most 50 scalar values by key, readable by rules; merged into the stored tags, which keep at most ${MAX_USER_TAGS} keys, ${MAX_USER_FIELD_BYTES} bytes of JSON and ${MAX_USER_FIELD_VALUES} JSON values. null is as if absent: the stored tags stay.`,
      type: ['object', 'null'],
      maxProperties: 50,
      propertyNames: KEY,
      additionalProperties: { type: ['string', 'number', 'boolean', 'null'] },
    },
    metadata: {
      title: 'Metadata',
      description: `At most 50 keys, nested at most 8 levels; merged into the stored metadata, which keeps at most ${MAX_USER_METADATA_KEYS} keys, ${MAX_USER_FIELD_BYTES} bytes of JSON and ${MAX_USER_FIELD_VALUES} JSON values (every object, array and scalar counts one). null is as if absent: the stored metadata stays.`,
      type: ['object', 'null'],
      maxProperties: 50,
      propertyNames: KEY,
    },
  },
} as const;

/** `POST /v1/user-journeys/events`: one event of a user; also each item of a `/track` batch. */
export const eventSchema = {
  title: 'Event',
  type: 'object',
  required: ['externalId', 'eventType', 'category'],
  properties: {
    externalId,
    eventType: { title: 'Event type', type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$' },
    category: {
      title: 'Category',
      description: 'Any case (stored in upper case), e.g. GAME_PLAY.',
      type: 'string',
      pattern: '^[A-Za-z][A-Za-z0-9_]{0,31}$',
    },
    points: { title: 'Points', type: 'integer', minimum: -1_000_000, maximum: 1_000_000 },
    occurredAt: {
      title: 'Occurred at',
      description:
        'An ISO 8601 date-time with its time zone (`Z` or an offset: RFC 3339), from 1970 on; at most 5 minutes in the future; absent: when received. A local time without a zone (Dart: call toUtc() before toIso8601String()) is refused.',
      type: 'string',
      format: 'date-time',
    },
    metadata: {
      title: 'Metadata',
      description: `At most 50 keys, ${MAX_EVENT_METADATA_BYTES} bytes of JSON and ${MAX_EVENT_METADATA_VALUES} JSON values (every object, array and scalar counts one), nested at most 8 levels.`,
      type: 'object',
      maxProperties: 50,
    },
    clientEventId: {
      title: 'Client event id',
      description:
        'The client’s id of the event, unique per user: a repeat for the same user is answered as a duplicate and not stored again.',
      type: 'string',
      minLength: 1,
      maxLength: 128,
      // It is shown in the timeline as the external id is, so it holds what an id may (hostile
      // check: C0, C1 and U+202E were stored and returned).
      pattern: ID_TEXT,
    },
  },
} as const;

/** `POST /v1/user-journeys/track`: `{events: [...]}`, or the bare array. */
export const eventBatchSchema = {
  title: 'Event batch',
  description: `1 to ${MAX_BATCH} events; any bad event rejects the whole batch and none is stored.`,
  type: 'object',
  required: ['events'],
  properties: { events: { type: 'array', minItems: 1, maxItems: MAX_BATCH, items: eventSchema } },
} as const;

/** `GET /v1/user-journeys/users/{externalId}/timeline`: its query. */
export const timelineQuerySchema = {
  title: 'Timeline page',
  type: 'object',
  properties: {
    page: {
      title: 'Page',
      description: 'From 1 (default 1).',
      type: 'integer',
      minimum: 1,
      maximum: 1_000_000,
    },
    limit: {
      title: 'Page size',
      description: '1 to 100 (default 20).',
      type: 'integer',
      minimum: 1,
      maximum: 100,
    },
  },
} as const;

/** `POST /admin/apps/{appId}/journeys/generate`: its query. */
export const generateQuerySchema = {
  title: 'Generation run',
  type: 'object',
  // Closed: `?dryRun=true` ran a real generation (hostile probe); an unknown parameter is a 400.
  additionalProperties: false,
  properties: {
    environment: {
      title: 'Environment',
      description: 'Run for this environment only; absent: both.',
      enum: ['live', 'test'],
    },
  },
} as const;
