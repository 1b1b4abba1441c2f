import { createHash } from 'node:crypto';
import { isPlainObject } from '../banner-request.js';
import type { TrackedEvent } from '../store/banner-store.js';
import {
  type NormalizedEvent,
  type RecordProblem,
  type TrackBatchParser,
  toTrackedEvent,
  type ValueProperties,
} from '../track-request.js';
import { dollarKeys, dollarName, idText } from './sdk-keys.js';

/** The user of events sent without a distinct id (the node SDK's `track("played_game")`). */
export const ANONYMOUS_USER = '$anonymous';
/** Mixpanel's alias event: links `properties.alias` to `properties.distinct_id`. */
export const ALIAS_EVENT = '$create_alias';
/**
 * Unity's Identify(id) (KibotuAPI.cs): the SDK switches its distinct id to `id`, then tracks
 * `_kb_identify` under it with `_kb_anon_distinct_id`, the id it had before.
 */
export const IDENTIFY_EVENT = '$identify';

/** One event of a batch the service refused, named by its index in the batch. */
export type RejectedRecord = RecordProblem;

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
  /**
   * `$create_alias`, or `$identify`: the identified id linked to the anonymous one, so that the
   * player keeps the variation, events and profile they had before signing in. An identified
   * id with data of its own (a returning player on a new device) stays apart; that is no error.
   */
  source: 'alias' | 'identify';
}

export interface SdkBatch {
  events: SdkEvent[];
  aliases: SdkAlias[];
  rejected: RejectedRecord[];
  /** How many items the batch had. */
  size: number;
}

/**
 * An event's de-duplication key: what Mixpanel (whose conventions the node SDK keeps)
 * de-duplicates on. `$insert_id` (node) with the event's name, user and time: the SDK
 * leaves the id to the integrator, and a per-user or per-session counter is a common
 * choice, so the id alone would drop another user's events as duplicates of the first
 * user's. Unity's queue id counts per device, so it is scoped by the user and the event's
 * random metadata id. A SHA-256 of those parts (node:crypto): every key held is 43
 * characters however long the parts (ids up to 256 each), which keeps the remembered ids'
 * memory bound (docs/personal-offers.md) what it was for 36-character ids.
 */
function insertIdOf(event: NormalizedEvent): string | null {
  const props: Record<string, unknown> = event.properties;
  const own = idText(props.$insert_id);
  if (own !== null && own.length > 255) return null;
  const queueId = own === null ? idText(event.id) : null;
  if (own === null && queueId === null) return null;
  const meta = isPlainObject(event.$metadata) ? event.$metadata : {};
  return insertKey(
    own !== null
      ? ['i', idText(props.distinct_id), event.event, idText(props.time), own]
      : ['u', idText(props.distinct_id), queueId, idText(meta.$event_id)],
  );
}

/** The key remembered for a retry: a SHA-256 of its parts (see insertIdOf). */
export function insertKey(parts: readonly (string | null)[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
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
function normalized(raw: Record<string, unknown>): NormalizedEvent {
  const props = isPlainObject(raw.properties) ? raw.properties : {};
  const distinctId = idText(props.distinct_id) ?? idText(raw.distinct_id) ?? idText(props.$device_id);
  const fromDevice = idText(props.distinct_id) === null && idText(raw.distinct_id) === null;
  const userId = distinctId === null ? ANONYMOUS_USER : fromDevice ? `$device:${distinctId}` : distinctId;
  const properties = withoutNoExperimentLabel({ ...props, distinct_id: userId });
  return { ...raw, event: String(eventName(raw.event)), properties } as NormalizedEvent;
}

function parseAlias(index: number, props: Record<string, unknown>): SdkAlias {
  // The schema has made sure an alias event names its alias.
  return {
    index,
    alias: idText(props.alias) ?? '',
    distinctId: idText(props.distinct_id) ?? ANONYMOUS_USER,
    source: 'alias',
  };
}

/** The link an identify event asks for, or null (no anonymous id, or the same id). */
function identifyLink(index: number, props: Record<string, unknown>): SdkAlias | null {
  const anonymous = idText(props.$anon_distinct_id);
  const identified = idText(props.distinct_id);
  // The shared user of events without an id is nobody's: no player is merged into it.
  const shared = anonymous === ANONYMOUS_USER || identified === ANONYMOUS_USER;
  if (anonymous === null || identified === null || anonymous === identified || shared) return null;
  return { index, alias: identified, distinctId: anonymous, source: 'identify' };
}

interface ParseOptions {
  /** Checks the body against its route's schema (compiled once): /track's or /import's. */
  parser: TrackBatchParser;
  /** Per event name, the property kept as its value (the app's experiments declare them). */
  values: ValueProperties;
}

/**
 * A /track or /import body, event by event: each valid event is kept, each invalid one
 * is rejected with its index and reason (the rest of the batch is unaffected). Only a
 * body that is no batch at all is refused whole (TrackBatchParser).
 */
export function parseSdkBatch(body: unknown, receivedAt: Date, options: ParseOptions): SdkBatch {
  const { records, problems } = options.parser.check(body);
  const out: SdkBatch = { events: [], aliases: [], rejected: problems, size: records.length };
  const refused = new Set(problems.map((p) => p.index));
  for (const [index, raw] of records.entries()) {
    if (refused.has(index)) continue;
    const event = normalized(dollarKeys(raw) as Record<string, unknown>);
    if (event.event === ALIAS_EVENT) out.aliases.push(parseAlias(index, event.properties));
    else {
      // The identify event is stored too (it counts as an event), under the user it links to.
      const identify = event.event === IDENTIFY_EVENT ? identifyLink(index, event.properties) : null;
      if (identify) out.aliases.push(identify);
      const tracked = toTrackedEvent(event, receivedAt, options.values);
      out.events.push({ index, event: tracked, insertId: insertIdOf(event) });
    }
  }
  return out;
}
