import { type FieldProblem, invalidInput } from '../http/app-error.js';
import { isPlainObject, textProblem } from './banner-request.js';
import type { TrackedEvent } from './store/banner-store.js';

/** The vendor's batch limit (its SDKs chunk by 50). */
export const MAX_BATCH = 50;

/** Below this a `time` is in seconds (1e11 s is the year 5138; 1e11 ms is 1973). */
const SECONDS_LIMIT = 1e11;

/** Names that would shadow Object.prototype members wherever an event name becomes a key. */
const RESERVED_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

export interface TrackBatch {
  events: TrackedEvent[];
  /** The `token` property of the first event: the API key when no Authorization header is sent. */
  token: string | null;
}

/** `time` in ms since the epoch, from seconds or milliseconds. */
export function eventTimeMs(time: number): number {
  return time < SECONDS_LIMIT ? Math.round(time * 1000) : Math.round(time);
}

type Link = Pick<TrackedEvent, 'renderId' | 'experimentId' | 'variationId'>;

function link(meta: unknown, at: string, problems: FieldProblem[]): Link {
  const none = { renderId: null, experimentId: null, variationId: null };
  if (meta === undefined || meta === null) return none;
  if (!isPlainObject(meta)) {
    problems.push({ field: at, message: 'must be an object' });
    return none;
  }
  const text = (name: string): string | null => {
    const v = meta[name];
    if (v === undefined || v === null || v === '') return null;
    const problem = textProblem(v, 256);
    if (problem) problems.push({ field: `${at}.${name}`, message: problem });
    return problem ? null : (v as string);
  };
  const variation = meta.variationId;
  const variationOk =
    variation === undefined ||
    variation === null ||
    (Number.isInteger(variation) && (variation as number) >= 0);
  if (!variationOk) problems.push({ field: `${at}.variationId`, message: 'must be an integer >= 0' });
  return {
    renderId: text('renderId'),
    experimentId: text('experimentId'),
    variationId: variationOk && typeof variation === 'number' ? variation : null,
  };
}

function userIdOf(value: unknown, at: string, problems: FieldProblem[]): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (value === undefined || value === null) {
    problems.push({ field: at, message: 'is required' });
    return '';
  }
  const problem = textProblem(value, 256);
  if (problem) problems.push({ field: at, message: problem });
  return problem ? '' : (value as string);
}

function timeOf(value: unknown, at: string, problems: FieldProblem[]): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return eventTimeMs(value);
  problems.push({
    field: at,
    message: 'must be a positive number of seconds or milliseconds since the epoch',
  });
  return null;
}

function parseEvent(
  raw: unknown,
  i: number,
  receivedAt: string,
  problems: FieldProblem[],
): TrackedEvent | null {
  const at = `[${i}]`;
  if (!isPlainObject(raw)) {
    problems.push({ field: at, message: 'must be an object with event and properties' });
    return null;
  }
  const nameProblem = raw.event === undefined ? 'is required' : textProblem(raw.event, 255);
  if (nameProblem) problems.push({ field: `${at}.event`, message: nameProblem });
  else if (RESERVED_NAMES.has(raw.event as string)) {
    problems.push({ field: `${at}.event`, message: 'is a reserved name' });
  }
  const props = raw.properties;
  if (!isPlainObject(props)) {
    problems.push({ field: `${at}.properties`, message: 'must be an object with distinct_id' });
    return null;
  }
  return {
    userId: userIdOf(props.distinct_id, `${at}.properties.distinct_id`, problems),
    name: String(raw.event),
    time: timeOf(props.time, `${at}.properties.time`, problems),
    receivedAt,
    ...link(props.kibotuMetadata, `${at}.properties.kibotuMetadata`, problems),
  };
}

/**
 * Validates a /track body: a JSON array of at most 50 events (a single event object
 * is taken as a batch of one). Any bad event rejects the whole batch with a 400 that
 * names `[index].field` for each problem; nothing of it is stored.
 */
export function parseTrackBatch(body: unknown, receivedAt: Date): TrackBatch {
  const list = isPlainObject(body) ? [body] : body;
  if (!Array.isArray(list))
    throw invalidInput([{ field: 'body', message: 'must be a JSON array of events' }]);
  if (list.length > MAX_BATCH) {
    throw invalidInput([
      { field: 'body', message: `at most ${MAX_BATCH} events per batch, got ${list.length}` },
    ]);
  }
  const problems: FieldProblem[] = [];
  const at = receivedAt.toISOString();
  const events = list.map((raw, i) => parseEvent(raw, i, at, problems));
  if (problems.length > 0) throw invalidInput(problems);
  const first = list[0] as { properties?: { token?: unknown } } | undefined;
  const token = typeof first?.properties?.token === 'string' ? first.properties.token : null;
  return { events: events as TrackedEvent[], token };
}
