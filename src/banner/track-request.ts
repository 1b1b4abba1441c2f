import { invalidInput } from '../http/app-error.js';
import { type RequestSchema, RequestSchemas } from '../http/request-schema.js';
import { revenueValue } from './domain/event-value.js';
import { asList } from './sdk/sdk-keys.js';
import {
  importBatchMessages,
  importBatchSchema,
  MAX_TRACK_BATCH,
  trackBatchMessages,
  trackBatchSchema,
} from './sdk/track-schemas.js';
import type { TrackedEvent } from './store/banner-store.js';

/** Below this a `time` is in seconds (1e11 s is the year 5138; 1e11 ms is 1973). */
const SECONDS_LIMIT = 1e11;

/** One event after validation and normalization (sdk-events.ts): the node SDK's shape, a user always named. */
export interface NormalizedEvent {
  event: string;
  /** Unity's top-level keys (its queue `id`, `$metadata`) stay where they were. */
  [key: string]: unknown;
  properties: {
    distinct_id: string;
    time?: number | null;
    kibotuMetadata?: {
      renderId?: string | null;
      experimentId?: string | null;
      variationId?: number | null;
    } | null;
    [property: string]: unknown;
  };
}

/** One record of a batch its schema refused, named by its index in the batch. */
export interface RecordProblem {
  index: number;
  field: string;
  message: string;
}

/** Per event name, the property kept as the event's value (see valueProperties). */
export type ValueProperties = ReadonlyMap<string, string>;

/** `time` in ms since the epoch, from seconds or milliseconds. */
export function eventTimeMs(time: number): number {
  return time < SECONDS_LIMIT ? Math.round(time * 1000) : Math.round(time);
}

/** '' and null alike say "no link". */
const textOrNull = (v: string | null | undefined): string | null => (v === undefined || v === '' ? null : v);

export function toTrackedEvent(
  raw: NormalizedEvent,
  receivedAt: Date,
  values: ValueProperties,
): TrackedEvent {
  const { distinct_id, time, kibotuMetadata: meta } = raw.properties;
  const valueProperty = values.get(raw.event);
  return {
    userId: distinct_id,
    name: raw.event,
    time: typeof time === 'number' ? eventTimeMs(time) : null,
    receivedAt: receivedAt.toISOString(),
    renderId: textOrNull(meta?.renderId),
    experimentId: textOrNull(meta?.experimentId),
    variationId: meta?.variationId ?? null,
    value: valueProperty === undefined ? null : revenueValue(raw.properties[valueProperty]),
  };
}

/** `[3].properties.time` → record 3, field `properties.time`; `[3]` → record 3 itself. */
const RECORD_FIELD = /^\[(\d+)\](?:\.(.*))?$/s;

/**
 * /track and /import bodies, checked against the very schema the API reference publishes
 * (trackBatchSchema, importBatchSchema; compiled once per parser). A single event is a
 * batch of one. Problems of one event reject that event alone; a body that is no batch
 * (not an event or a list of 1 to 50) is refused whole.
 */
export class TrackBatchParser {
  readonly #schema: RequestSchema<unknown[]>;

  /** `historical`: /import's events, each with its time. */
  constructor(historical = false) {
    this.#schema = historical
      ? new RequestSchemas().compile(importBatchSchema, { messages: importBatchMessages })
      : new RequestSchemas().compile(trackBatchSchema, { messages: trackBatchMessages });
  }

  /** The batch's records, and the problems of each record the schema refused. */
  check(body: unknown): { records: unknown[]; problems: RecordProblem[] } {
    const list = asList(body) ?? body;
    const problems: RecordProblem[] = [];
    const whole = [];
    for (const problem of this.#schema.problems(list)) {
      const record = RECORD_FIELD.exec(problem.field);
      if (record)
        problems.push({ index: Number(record[1]), field: record[2] ?? '', message: problem.message });
      else whole.push(problem);
    }
    if (whole.length > 0 || !Array.isArray(list)) {
      // The count helps a client that built its own batches.
      const count = Array.isArray(list) && list.length > MAX_TRACK_BATCH ? `, got ${list.length}` : '';
      throw invalidInput(
        whole.map((p) => (p.field === 'body' ? { ...p, message: `${p.message}${count}` } : p)),
      );
    }
    return { records: list, problems };
  }
}
