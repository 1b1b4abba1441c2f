import { AppError, invalidInput } from '../../http/app-error.js';
import { isPlainObject } from '../banner-request.js';
import { MAX_TRACK_BATCH as MAX_BATCH } from '../banner-schemas.js';
import type { TrackedEvent } from '../store/banner-store.js';
import type { TrackBatchParser, ValueProperties } from '../track-request.js';
import { asList, dollarKeys, dollarName, idText } from './sdk-keys.js';

/** The user of events sent without a distinct id (the node SDK's `track("played_game")`). */
export const ANONYMOUS_USER = '$anonymous';
/** Mixpanel's alias event: links `properties.alias` to `properties.distinct_id`. */
export const ALIAS_EVENT = '$create_alias';

/** One event of a batch the service refused, named by its index in the batch. */
export interface RejectedRecord {
  index: number;
  field: string;
  message: string;
}

export interface SdkEvent {
  index: number;
  event: TrackedEvent;
  /** `$insert_id` (node) or the Unity queue item's id: a retried event carries the same one. */
  insertId: string | null;
}

export interface SdkAlias {
  index: number;
  alias: string;
  distinctId: string;
}

export interface SdkBatch {
  events: SdkEvent[];
  aliases: SdkAlias[];
  rejected: RejectedRecord[];
  /** How many items the batch had. */
  size: number;
}

/**
 * Unity's queue id counts per device, so it is scoped by the distinct id and the event's
 * random metadata id; `$insert_id` is the client's own, unique per event.
 */
function insertIdOf(raw: Record<string, unknown>, props: Record<string, unknown>): string | null {
  const own = idText(props.$insert_id);
  if (own !== null) return own.length <= 255 ? `i\n${own}` : null;
  const queueId = idText(raw.id);
  if (queueId === null) return null;
  const meta = isPlainObject(raw.$metadata) ? raw.$metadata : {};
  return ['u', idText(props.distinct_id) ?? '', queueId, idText(meta.$event_id) ?? ''].join('\n');
}

/** A render outside every experiment is labelled variationId -1; echoed back it links to no variation. */
function withoutNoExperimentLabel(props: Record<string, unknown>): Record<string, unknown> {
  const meta = props.kibotuMetadata;
  if (!isPlainObject(meta) || typeof meta.variationId !== 'number' || meta.variationId >= 0) return props;
  const { variationId: _drop, ...rest } = meta;
  return { ...props, kibotuMetadata: rest };
}

/**
 * Unity names its reserved events `_kb_x` (KibotuAPI.cs: `_kb_create_alias`, `_kb_identify`,
 * `_kb_opt_in`) where the node SDK says `$x`: one spelling inside offerd, as for keys.
 */
function eventName(name: unknown): unknown {
  return typeof name === 'string' ? dollarName(name) : name;
}

/** The event in the node SDK's shape: Unity's top-level distinct_id moved in, anonymous when absent. */
function normalized(raw: Record<string, unknown>): Record<string, unknown> {
  const props = isPlainObject(raw.properties) ? raw.properties : {};
  const distinctId = idText(props.distinct_id) ?? idText(raw.distinct_id) ?? idText(props.$device_id);
  const fromDevice = idText(props.distinct_id) === null && idText(raw.distinct_id) === null;
  const userId = distinctId === null ? ANONYMOUS_USER : fromDevice ? `$device:${distinctId}` : distinctId;
  const properties = withoutNoExperimentLabel({ ...props, distinct_id: userId });
  return { ...raw, event: eventName(raw.event), properties };
}

function problemsOf(err: unknown, index: number): RejectedRecord[] {
  if (!(err instanceof AppError) || err.status !== 400) throw err;
  const fields = err.fields.length > 0 ? err.fields : [{ field: '', message: err.message }];
  return fields.map((f) => ({ index, field: f.field.replace(/^\[0\]\.?/, ''), message: f.message }));
}

function parseAlias(index: number, props: Record<string, unknown>): SdkAlias | RejectedRecord {
  const alias = idText(props.alias);
  const distinctId = idText(props.distinct_id);
  if (alias === null || alias.length > 256) {
    return { index, field: 'properties.alias', message: 'must be a non-empty id of at most 256 characters' };
  }
  return { index, alias, distinctId: distinctId ?? ANONYMOUS_USER };
}

interface ParseOptions {
  /** Validates one event against its route's schema (compiled once): /track's or /import's. */
  parser: TrackBatchParser;
  /** Per event name, the property kept as its value (the app's experiments declare them). */
  values: ValueProperties;
}

function parseOne(raw: unknown, index: number, receivedAt: Date, options: ParseOptions, out: SdkBatch): void {
  if (!isPlainObject(raw)) {
    out.rejected.push({ index, field: '', message: 'must be an object with event and properties' });
    return;
  }
  const event = normalized(dollarKeys(raw) as Record<string, unknown>);
  const props = event.properties as Record<string, unknown>;
  if (event.event === ALIAS_EVENT) {
    const alias = parseAlias(index, props);
    if ('alias' in alias) out.aliases.push(alias);
    else out.rejected.push(alias);
    return;
  }
  try {
    const [parsed] = options.parser.parse([event], receivedAt, options.values).events;
    if (parsed) out.events.push({ index, event: parsed, insertId: insertIdOf(event, props) });
  } catch (err) {
    out.rejected.push(...problemsOf(err, index));
  }
}

/**
 * A /track or /import body, event by event: each valid event is kept, each invalid one
 * is rejected with its index and reason (the rest of the batch is unaffected). Only a
 * body that is no batch at all (not a list, more than MAX_BATCH items) is refused whole.
 */
export function parseSdkBatch(body: unknown, receivedAt: Date, options: ParseOptions): SdkBatch {
  const list = asList(body);
  if (!list) throw invalidInput([{ field: 'body', message: 'must be a JSON array of events' }]);
  if (list.length > MAX_BATCH) {
    throw invalidInput([
      { field: 'body', message: `at most ${MAX_BATCH} events per batch, got ${list.length}` },
    ]);
  }
  const out: SdkBatch = { events: [], aliases: [], rejected: [], size: list.length };
  for (const [i, raw] of list.entries()) parseOne(raw, i, receivedAt, options, out);
  return out;
}
