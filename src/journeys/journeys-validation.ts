import { canonicalCountry } from '../geo/country-alias.js';
import { type FieldProblem, invalidInput } from '../http/app-error.js';
import { nestsDeeperThan } from '../http/input-bounds.js';
import { type RequestSchema, RequestSchemas } from '../http/request-schema.js';
import type { UserPatch } from './domain/journey-types.js';
import { countJsonValues } from './domain/json-values.js';
import { jsonBytes } from './domain/user-bounds.js';
import {
  EXTERNAL_ID_MESSAGES,
  eventBatchSchema,
  eventSchema,
  generateQuerySchema,
  MAX_EVENT_METADATA_BYTES,
  MAX_EVENT_METADATA_VALUES,
  timelineQuerySchema,
  userPatchSchema,
} from './journeys-schemas.js';
import type { EventInput } from './journeys-service.js';

/** How far in the future a client clock may put `occurredAt`. */
const CLOCK_SKEW_MS = 5 * 60_000;
/**
 * The earliest `occurredAt`: no app event is older, and year 0000 (ISO's 1 BC) was a 500 on
 * PostgreSQL, whose timestamps have no year 0 (hostile probe), where lowdb stored it.
 */
const EARLIEST = Date.UTC(1970, 0, 1);
/** Levels of nesting a `metadata` object may have (the banner API's context allows as many). */
export const MAX_METADATA_DEPTH = 8;

const PAGE_MESSAGES = {
  page: 'must be an integer from 1 to 1000000',
  limit: 'must be an integer from 1 to 100',
} as const;

function metadataDepth(metadata: unknown, field: string): FieldProblem[] {
  return nestsDeeperThan(metadata, MAX_METADATA_DEPTH)
    ? [{ field, message: `nests deeper than ${MAX_METADATA_DEPTH} levels` }]
    : [];
}

/**
 * An event's metadata past MAX_EVENT_METADATA_BYTES or MAX_EVENT_METADATA_VALUES (the edge
 * bounded its depth: stringify is safe). Values are counted only within the byte bound,
 * so the count stops at ~2,000 (`[0,0,…]`): one problem a field, the first found.
 */
function eventMetadataSize(metadata: unknown, field: string): FieldProblem[] {
  if (!metadata || typeof metadata !== 'object') return [];
  const bytes = jsonBytes(metadata);
  if (bytes > MAX_EVENT_METADATA_BYTES)
    return [
      {
        field,
        message: `holds at most ${MAX_EVENT_METADATA_BYTES} bytes of JSON (4 KB); this one has ${bytes}`,
      },
    ];
  const values = countJsonValues(metadata);
  return values > MAX_EVENT_METADATA_VALUES
    ? [
        {
          field,
          message: `holds at most ${MAX_EVENT_METADATA_VALUES} JSON values (every object, array and scalar counts one); this one has ${values}`,
        },
      ]
    : [];
}

/**
 * A date-time without its zone (`2026-12-06T06:00:00.123456`, what Dart's toIso8601String
 * gives for a local time) names no instant: taken as UTC it would move the event by the
 * device's offset, and plays7d with it, so it is refused saying what to send.
 */
const OCCURRED_AT_MESSAGES = {
  format:
    'must be an ISO 8601 date-time (RFC 3339) with its time zone, Z or an offset (2026-12-06T06:00:00Z, 2026-12-06T07:00:00+01:00): a local time without a zone names no instant',
};

/**
 * Adds the problems of fields `found` does not name yet: one problem per field (docs/errors.md);
 * a date the schema refused was named twice when the rules after it refused it too (hostile probe).
 */
function addUnnamed(found: FieldProblem[], more: readonly FieldProblem[]): void {
  for (const p of more) if (!found.some((f) => f.field === p.field)) found.push(p);
}

/** Validators for the journeys request bodies, compiled once; each throws AppError 400 naming every bad field. */
export class JourneysValidation {
  private readonly validUser: RequestSchema<UserPatch>;
  private readonly validEvent: RequestSchema<EventInput>;
  private readonly validBatch: RequestSchema<{ events: EventInput[] }>;
  private readonly validPage: RequestSchema<{ page?: number; limit?: number }>;
  private readonly validGenerate: RequestSchema<{ environment?: 'live' | 'test' }>;

  constructor(private readonly now: () => Date) {
    const schemas = new RequestSchemas();
    this.validUser = schemas.compile(userPatchSchema, { messages: { externalId: EXTERNAL_ID_MESSAGES } });
    this.validEvent = schemas.compile(eventSchema, {
      messages: { externalId: EXTERNAL_ID_MESSAGES, occurredAt: OCCURRED_AT_MESSAGES },
    });
    this.validBatch = schemas.compile(eventBatchSchema, {
      messages: { 'events[].externalId': EXTERNAL_ID_MESSAGES, 'events[].occurredAt': OCCURRED_AT_MESSAGES },
    });
    this.validPage = schemas.compile(timelineQuerySchema, { messages: PAGE_MESSAGES });
    this.validGenerate = schemas.compile(generateQuerySchema, {
      messages: { environment: 'must be live or test' },
    });
  }

  userPatch(body: unknown): UserPatch {
    const found = this.validUser.problems(body);
    if (body && typeof body === 'object')
      found.push(...metadataDepth((body as UserPatch).metadata, 'metadata'));
    if (found.length > 0) throw invalidInput(found);
    const b = body as UserPatch;
    const patch: UserPatch = { externalId: b.externalId };
    for (const key of ['displayName', 'email', 'phone', 'device', 'source'] as const) {
      if (b[key] !== undefined) Object.assign(patch, { [key]: b[key] });
    }
    // null tags or metadata are as if absent (Dart's toJson sends null for an unset map):
    // the stored ones stay. A null string field clears it; a map is cleared key by key.
    for (const key of ['tags', 'metadata'] as const) {
      if (b[key] !== undefined && b[key] !== null) Object.assign(patch, { [key]: b[key] });
    }
    if (typeof b.country === 'string') patch.country = canonicalCountry(b.country);
    else if (b.country === null) patch.country = null;
    return patch;
  }

  event(sent: unknown): EventInput {
    const body = unsetAsAbsent(sent);
    const found = this.validEvent.problems(body);
    const input = body as EventInput;
    if (input && typeof input === 'object') addUnnamed(found, this.eventRules(input, ''));
    if (found.length > 0) throw invalidInput(found);
    return normalized(input);
  }

  /** A batch is `{events: [...]}` or a bare array; every bad item is reported by its index, and none is stored. */
  batchOf(body: unknown): EventInput[] {
    const sent = Array.isArray(body) ? { events: body } : body;
    const listed = (sent as { events?: unknown } | null)?.events;
    const wrapped = Array.isArray(listed) ? { ...(sent as object), events: listed.map(unsetAsAbsent) } : sent;
    const found = this.validBatch.problems(wrapped);
    const events = (wrapped as { events?: unknown }).events;
    if (Array.isArray(events)) {
      events.forEach((e, i) => {
        if (e && typeof e === 'object') addUnnamed(found, this.eventRules(e as EventInput, `events[${i}].`));
      });
    }
    if (found.length > 0) throw invalidInput(found);
    return (events as EventInput[]).map(normalized);
  }

  /** `page` and `limit` of the timeline: whole numbers, limit at most 100. */
  pageOf(query: Record<string, string | string[] | undefined>): { page: number; limit: number } {
    const checked = this.validPage.checkQuery(query);
    if (!checked.ok) throw invalidInput(checked.problems);
    const { page = 1, limit = 20 } = checked.value;
    return { page, limit };
  }

  /** The environments an admin's generation run is for: the one asked, or both. */
  environmentsOf(query: Record<string, string | string[] | undefined>): ('live' | 'test')[] | undefined {
    const checked = this.validGenerate.checkQuery(query);
    if (!checked.ok) throw invalidInput(checked.problems);
    return checked.value.environment ? [checked.value.environment] : undefined;
  }

  /** What a schema cannot say: a client clock may run a little ahead, not days; metadata is not a maze, nor a file. */
  private eventRules(e: EventInput, prefix: string): FieldProblem[] {
    const found = metadataDepth(e.metadata, `${prefix}metadata`);
    found.push(...eventMetadataSize(e.metadata, `${prefix}metadata`));
    if (typeof e.occurredAt !== 'string') return found;
    const at = Date.parse(e.occurredAt);
    // RFC 3339 (and so the schema) allows a leap second, :60, which a Date cannot hold: it
    // passed every comparison below as NaN and was a 500 at toISOString (hostile probe).
    if (Number.isNaN(at)) {
      found.push({
        field: `${prefix}occurredAt`,
        message: 'must be an instant a clock shows: a leap second (:60) is not one',
      });
      return found;
    }
    if (at > this.now().getTime() + CLOCK_SKEW_MS)
      found.push({ field: `${prefix}occurredAt`, message: 'must not be in the future' });
    if (at < EARLIEST) found.push({ field: `${prefix}occurredAt`, message: 'must not be before 1970' });
    return found;
  }
}

/** An event's optional fields that may come as null. */
const OPTIONAL_EVENT_FIELDS = ['points', 'occurredAt', 'metadata', 'clientEventId'] as const;

/**
 * An event whose optional fields are null, as if they were absent: Dart's `toJson` sends
 * null for an unset field (as for a user's tags and metadata above); they were each a 400
 * (newcomer probe). Anything but an object is returned as it is, for the schema to refuse.
 */
function unsetAsAbsent(e: unknown): unknown {
  if (e === null || typeof e !== 'object' || Array.isArray(e)) return e;
  const record = e as Record<string, unknown>;
  if (!OPTIONAL_EVENT_FIELDS.some((k) => record[k] === null)) return e;
  const out = { ...record };
  for (const k of OPTIONAL_EVENT_FIELDS) if (out[k] === null) delete out[k];
  return out;
}

function normalized(e: EventInput): EventInput {
  return { ...e, category: e.category.toUpperCase() };
}
