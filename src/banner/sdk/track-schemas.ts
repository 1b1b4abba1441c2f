/**
 * The request bodies of /track and /import (JSON Schema draft 2020-12) as the Kibotu SDKs
 * put them on the wire: written once, validated with ajv (track-request.ts) and published
 * in the API reference. The node SDK (lib/kibotu-node.js) always posts a list of
 * `{event, properties}`; Unity (Controller.cs DoTrack, Storage.cs) adds a top-level
 * `distinct_id`, `_kb_metadata` and its queue `id`, and spells reserved names `_kb_x`.
 */
import type { SchemaMessages } from '../../http/request-schema.js';
import { text, textMessages } from '../banner-schemas.js';
import { ID, idMessages, optionalId, spellings } from './sdk-schemas.js';

/** The vendor's batch limit (its SDKs chunk by 50). */
export const MAX_TRACK_BATCH = 50;
/** The last moment a Date holds, in ms since the epoch (the year 275760). */
export const MAX_EVENT_TIME_MS = 8.64e15;

/** Names that would shadow Object.prototype members wherever an event name becomes a key. */
const RESERVED_NAMES = ['__proto__', 'constructor', 'prototype'] as const;

const optionalText = (maxLength: number, description: string) => ({
  description,
  anyOf: [{ enum: ['', null] }, text(maxLength, description)],
});

/** Both spellings of a property offerd reads but never refuses (what is not an id is ignored). */
const readIfId = (name: string, description: string) =>
  Object.fromEntries(spellings(name).map((key) => [key, { description }]));

const EVENT_PROPERTIES = {
  distinct_id: {
    title: 'User id',
    ...optionalId(
      'The user the event is about. Absent, empty or null: Unity’s top-level `distinct_id`, else `$device_id` (as the user `$device:<id>`), else the anonymous user `$anonymous` [ours].',
    ),
  },
  time: {
    title: 'Event time',
    description:
      'When it happened, in seconds or milliseconds since the epoch (below 1e11: seconds). Conversions count it, but never later than its receipt [ours].',
    type: ['number', 'null'],
    exclusiveMinimum: 0,
    // The last moment a Date holds (8.64e15 ms, the year 275760): past it the time was kept
    // as is, and PostgreSQL's bigint column refused the whole batch with it.
    maximum: MAX_EVENT_TIME_MS,
  },
  token: {
    title: 'API key',
    description: 'Read from the first event when no Authorization header is sent.',
  },
  ...Object.fromEntries(
    spellings('device_id').map((key) => [key, optionalId('The device, when there is no distinct id.')]),
  ),
  ...readIfId(
    'insert_id',
    'The node SDK’s event id (a string or number of at most 255 characters): with the event’s name, user and time (Mixpanel’s rule), an event is stored once however often a retry sends it [ours].',
  ),
  alias: { description: 'Of a `$create_alias` / `_kb_create_alias` event: the id linked to `distinct_id`.' },
  ...Object.fromEntries(
    spellings('anon_distinct_id').map((key) => [
      key,
      optionalId(
        'Of an identify event (Unity’s `_kb_identify`): the id the player had before, which `distinct_id` is linked to when it is a new id [ours].',
      ),
    ]),
  ),
  kibotuMetadata: {
    title: 'Banner link',
    description: 'The kibotuMetadata of the banner the event follows, tying it to an experiment.',
    type: ['object', 'null'],
    properties: {
      variationId: {
        title: 'Variation',
        description: '`-1` (outside every experiment, as offerd labels it) links to no variation.',
        type: ['integer', 'null'],
        minimum: -1,
      },
      renderId: { title: 'Render id', ...optionalText(256, 'The render the event follows') },
      experimentId: { title: 'Experiment id', ...optionalText(256, 'The experiment of that render') },
    },
  },
} as const;

/** An alias event links `properties.alias` to the distinct id: it must name one. */
const ALIAS_NEEDS_ALIAS = {
  if: { required: ['event'], properties: { event: { enum: spellings('create_alias') } } },
  // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then, never awaited
  then: { properties: { properties: { type: 'object', required: ['alias'], properties: { alias: ID } } } },
} as const;

/** One event as either SDK sends it. */
const trackEventSchema = {
  title: 'Tracking event',
  description:
    'Other keys and properties are accepted; of the properties only the one an experiment’s primary metric names as its `value` (revenue) is stored, when a finite number >= 0 [ours]. Unity’s `_kb_x` names (keys, and event names such as `_kb_create_alias`) read as the node SDK’s `$x`.',
  type: 'object',
  required: ['event', 'properties'],
  properties: {
    event: {
      title: 'Event name',
      ...text(
        255,
        'What happened, e.g. SpecialOfferPopupPurchased. A user has counters (`user.eventCounts`) for the first 1,000 distinct names only; an event of a later name is stored and counts in the totals [ours].',
      ),
      not: { enum: RESERVED_NAMES },
    },
    properties: {
      title: 'Event properties',
      type: 'object',
      properties: EVENT_PROPERTIES,
    },
    distinct_id: {
      title: 'User id (Unity)',
      ...optionalId('Unity’s copy of the user, used when `properties.distinct_id` has none.'),
    },
    id: {
      title: 'Queue id (Unity)',
      description:
        'Unity’s queue id (Storage.cs): with the distinct id and `_kb_metadata._kb_event_id`, an event is stored once however often a retry sends it [ours].',
    },
    _kb_metadata: {
      title: 'Event metadata (Unity)',
      description: 'Its `_kb_event_id` scopes the queue `id`.',
    },
  },
  ...ALIAS_NEEDS_ALIAS,
} as const;

/** /import's events are historical: each one says when it happened. */
const importEventSchema = {
  ...trackEventSchema,
  title: 'Historical event',
  properties: {
    ...trackEventSchema.properties,
    properties: {
      ...trackEventSchema.properties.properties,
      required: ['time'],
      properties: { ...EVENT_PROPERTIES, time: { ...EVENT_PROPERTIES.time, type: 'number' } },
    },
  },
} as const;

const batchOf = <T extends object>(title: string, event: T) =>
  ({
    title,
    description: `One event, or a list of 1 to ${MAX_TRACK_BATCH} (the SDKs chunk by ${MAX_TRACK_BATCH}). Each event is checked alone: a bad one is named (by index) in the reply and the others are stored.`,
    type: ['array', 'object'],
    if: { type: 'array' },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then, never awaited
    then: { minItems: 1, maxItems: MAX_TRACK_BATCH, items: event },
    else: event,
  }) as const;

/** `POST /track` (and `/ab/track`). */
export const trackBatchSchema = batchOf('Tracking batch', trackEventSchema);
/** `POST /import`. */
export const importBatchSchema = batchOf('Import batch', importEventSchema);

const TIME_MESSAGE = 'must be a positive number of seconds or milliseconds since the epoch';
const TIME_MAX_MESSAGE = 'must be at most 8.64e15 milliseconds since the epoch (the year 275760)';
const METADATA_TEXT = 'must be a string of at most 256 characters without control characters';
const ALIAS_MESSAGE = 'must be a non-empty id of at most 256 characters';

export const trackBatchMessages: SchemaMessages = {
  body: {
    type: 'must be a JSON array of events',
    minItems: 'must hold at least one event',
    maxItems: `at most ${MAX_TRACK_BATCH} events per batch`,
  },
  '[]': { type: 'must be an object with event and properties' },
  '[].event': { ...textMessages(255), not: 'is a reserved name' },
  '[].properties': { type: 'must be an object', required: 'is required' },
  '[].properties.distinct_id': idMessages,
  '[].properties.$device_id': idMessages,
  '[].properties._kb_device_id': idMessages,
  '[].properties.$anon_distinct_id': idMessages,
  '[].properties._kb_anon_distinct_id': idMessages,
  '[].properties.alias': {
    ...Object.fromEntries(
      ['type', 'minLength', 'maxLength', 'pattern', 'format'].map((k) => [k, ALIAS_MESSAGE]),
    ),
    required: `is required for $create_alias (${ALIAS_MESSAGE.replace('must be ', '')})`,
  },
  '[].properties.time': { type: TIME_MESSAGE, exclusiveMinimum: TIME_MESSAGE, maximum: TIME_MAX_MESSAGE },
  '[].properties.kibotuMetadata': 'must be an object',
  '[].properties.kibotuMetadata.variationId': 'must be an integer >= 0 (or -1: no experiment)',
  '[].properties.kibotuMetadata.renderId': METADATA_TEXT,
  '[].properties.kibotuMetadata.experimentId': METADATA_TEXT,
  '[].distinct_id': idMessages,
};

export const importBatchMessages: SchemaMessages = {
  ...trackBatchMessages,
  '[].properties.time': {
    required: 'is required for /import',
    type: TIME_MESSAGE,
    exclusiveMinimum: TIME_MESSAGE,
    maximum: TIME_MAX_MESSAGE,
  },
};
