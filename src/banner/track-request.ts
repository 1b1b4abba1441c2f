import { invalidInput } from '../http/app-error.js';
import { type RequestSchema, RequestSchemas } from '../http/request-schema.js';
import { isPlainObject } from './banner-request.js';
import {
  importEventsMessages,
  importEventsSchema,
  MAX_TRACK_BATCH,
  trackEventsMessages,
  trackEventsSchema,
} from './banner-schemas.js';
import { revenueValue } from './domain/event-value.js';
import type { TrackedEvent } from './store/banner-store.js';

/** Below this a `time` is in seconds (1e11 s is the year 5138; 1e11 ms is 1973). */
const SECONDS_LIMIT = 1e11;

export interface TrackBatch {
  events: TrackedEvent[];
  /** The `token` property of the first event: the API key when no Authorization header is sent. */
  token: string | null;
}

/** One event as its schema admits it. */
interface RawEvent {
  event: string;
  properties: {
    distinct_id: string | number;
    time?: number | null;
    token?: unknown;
    kibotuMetadata?: {
      renderId?: string | null;
      experimentId?: string | null;
      variationId?: number | null;
    } | null;
    [property: string]: unknown;
  };
}

/** Per event name, the property kept as the event's value (see valueProperties). */
export type ValueProperties = ReadonlyMap<string, string>;

/** `time` in ms since the epoch, from seconds or milliseconds. */
export function eventTimeMs(time: number): number {
  return time < SECONDS_LIMIT ? Math.round(time * 1000) : Math.round(time);
}

/** '' and null alike say "no link". */
const textOrNull = (v: string | null | undefined): string | null => (v === undefined || v === '' ? null : v);

function toEvent(raw: RawEvent, receivedAt: string, values: ValueProperties): TrackedEvent {
  const { distinct_id, time, kibotuMetadata: meta } = raw.properties;
  const valueProperty = values.get(raw.event);
  return {
    userId: String(distinct_id),
    name: raw.event,
    time: typeof time === 'number' ? eventTimeMs(time) : null,
    receivedAt,
    renderId: textOrNull(meta?.renderId),
    experimentId: textOrNull(meta?.experimentId),
    variationId: meta?.variationId ?? null,
    value: valueProperty === undefined ? null : revenueValue(raw.properties[valueProperty]),
  };
}

/**
 * Validates /track bodies against `trackEventsSchema` (/import's against
 * `importEventsSchema`; compiled once per parser): a JSON
 * array of at most 50 events (a single event object is taken as a batch of one). Any bad
 * event rejects the whole batch with a 400 that names `[index].field` for each problem;
 * nothing of it is stored.
 */
export class TrackBatchParser {
  readonly #schema: RequestSchema<RawEvent[]>;

  /** `historical`: /import's events, each with its time (importEventsSchema). */
  constructor(historical = false) {
    this.#schema = historical
      ? new RequestSchemas().compile(importEventsSchema, { messages: importEventsMessages })
      : new RequestSchemas().compile(trackEventsSchema, { messages: trackEventsMessages });
  }

  parse(body: unknown, receivedAt: Date, values: ValueProperties = new Map()): TrackBatch {
    const list = isPlainObject(body) ? [body] : body;
    if (Array.isArray(list) && list.length > MAX_TRACK_BATCH) {
      // Said alone, and before any of its events is read.
      const message = `at most ${MAX_TRACK_BATCH} events per batch, got ${list.length}`;
      throw invalidInput([{ field: 'body', message }]);
    }
    const checked = this.#schema.check(list);
    if (!checked.ok) throw invalidInput(checked.problems);
    const events = checked.value;
    const at = receivedAt.toISOString();
    const token = events[0]?.properties.token;
    return {
      events: events.map((raw) => toEvent(raw, at, values)),
      token: typeof token === 'string' ? token : null,
    };
  }
}
