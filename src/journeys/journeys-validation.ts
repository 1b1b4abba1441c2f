import type { ErrorObject, ValidateFunction } from 'ajv';
import { type FieldProblem, invalidInput } from '../http/app-error.js';
import { nestsDeeperThan } from '../http/input-bounds.js';
import { createAjv } from '../rules/schemas/ajv.js';
import type { UserPatch } from './domain/journey-types.js';
import type { EventInput } from './journeys-service.js';

/** Most events one `POST /track` may carry. */
export const MAX_BATCH = 100;
/** How far in the future a client clock may put `occurredAt`. */
const CLOCK_SKEW_MS = 5 * 60_000;
/** Levels of nesting a `metadata` object may have (the banner API's context allows as many). */
export const MAX_METADATA_DEPTH = 8;

const externalId = { type: 'string', minLength: 1, maxLength: 128 } as const;
const nullableText = (maxLength: number) => ({ type: ['string', 'null'], maxLength }) as const;
const KEY = { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$' } as const;

const userSchema = {
  type: 'object',
  required: ['externalId'],
  properties: {
    externalId,
    displayName: nullableText(100),
    email: { anyOf: [{ type: 'string', format: 'email', maxLength: 254 }, { type: 'null' }] },
    phone: nullableText(20),
    country: { anyOf: [{ type: 'string', pattern: '^[A-Za-z]{2}$' }, { type: 'null' }] },
    device: { enum: ['mobile', 'desktop', 'tablet', null] },
    source: nullableText(64),
    tags: {
      type: 'object',
      maxProperties: 50,
      propertyNames: KEY,
      additionalProperties: { type: ['string', 'number', 'boolean', 'null'] },
    },
    metadata: { type: 'object', maxProperties: 50, propertyNames: KEY },
  },
} as const;

const eventSchema = {
  type: 'object',
  required: ['externalId', 'eventType', 'category'],
  properties: {
    externalId,
    eventType: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$' },
    category: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_]{0,31}$' },
    points: { type: 'integer', minimum: -1_000_000, maximum: 1_000_000 },
    occurredAt: { type: 'string', format: 'date-time' },
    metadata: { type: 'object', maxProperties: 50 },
    clientEventId: { type: 'string', minLength: 1, maxLength: 128 },
  },
} as const;

const batchSchema = {
  type: 'object',
  required: ['events'],
  properties: { events: { type: 'array', minItems: 1, maxItems: MAX_BATCH, items: eventSchema } },
} as const;

/** `/events/3/eventType` → `events[3].eventType`, the way clients name fields. */
function fieldName(e: ErrorObject): string {
  const parts = e.instancePath.split('/').slice(1);
  if (e.keyword === 'required') parts.push(String(e.params.missingProperty));
  return parts.reduce(
    (name, part) => (/^\d+$/.test(part) ? `${name}[${part}]` : name ? `${name}.${part}` : part),
    '',
  );
}

function message(e: ErrorObject): string {
  if (e.keyword === 'required') return 'is required';
  if (e.keyword === 'enum') return `must be one of ${(e.params.allowedValues as unknown[]).join(', ')}`;
  return e.message ?? 'is invalid';
}

/** One problem per field: for `x or null` fields ajv reports every branch, the first one says it best. */
function problems(validate: ValidateFunction, value: unknown): FieldProblem[] {
  if (validate(value)) return [];
  const byField = new Map<string, FieldProblem>();
  for (const e of [...(validate.errors ?? [])]) {
    const field = fieldName(e) || 'body';
    if (!byField.has(field)) byField.set(field, { field, message: message(e) });
  }
  return [...byField.values()];
}

function metadataDepth(metadata: unknown, field: string): FieldProblem[] {
  return nestsDeeperThan(metadata, MAX_METADATA_DEPTH)
    ? [{ field, message: `nests deeper than ${MAX_METADATA_DEPTH} levels` }]
    : [];
}

/** Validators for the journeys request bodies, compiled once; each throws AppError 400 naming every bad field. */
export class JourneysValidation {
  private readonly validUser: ValidateFunction;
  private readonly validEvent: ValidateFunction;
  private readonly validBatch: ValidateFunction;

  constructor(private readonly now: () => Date) {
    const ajv = createAjv();
    this.validUser = ajv.compile(userSchema);
    this.validEvent = ajv.compile(eventSchema);
    this.validBatch = ajv.compile(batchSchema);
  }

  userPatch(body: unknown): UserPatch {
    const found = problems(this.validUser, body);
    if (body && typeof body === 'object')
      found.push(...metadataDepth((body as UserPatch).metadata, 'metadata'));
    if (found.length > 0) throw invalidInput(found);
    const b = body as UserPatch;
    const patch: UserPatch = { externalId: b.externalId };
    for (const key of ['displayName', 'email', 'phone', 'device', 'source', 'tags', 'metadata'] as const) {
      if (b[key] !== undefined) Object.assign(patch, { [key]: b[key] });
    }
    if (typeof b.country === 'string') patch.country = b.country.toUpperCase();
    else if (b.country === null) patch.country = null;
    return patch;
  }

  event(body: unknown): EventInput {
    const found = problems(this.validEvent, body);
    const input = body as EventInput;
    if (input && typeof input === 'object') found.push(...this.eventRules(input, ''));
    if (found.length > 0) throw invalidInput(found);
    return normalized(input);
  }

  /** A batch is `{events: [...]}` or a bare array; every bad item is reported by its index, and none is stored. */
  batchOf(body: unknown): EventInput[] {
    const wrapped = Array.isArray(body) ? { events: body } : body;
    const found = problems(this.validBatch, wrapped);
    const events = (wrapped as { events?: unknown }).events;
    if (Array.isArray(events)) {
      events.forEach((e, i) => {
        if (e && typeof e === 'object') found.push(...this.eventRules(e as EventInput, `events[${i}].`));
      });
    }
    if (found.length > 0) throw invalidInput(found);
    return (events as EventInput[]).map(normalized);
  }

  /** What a schema cannot say: a client clock may run a little ahead, not days; metadata is not a maze. */
  private eventRules(e: EventInput, prefix: string): FieldProblem[] {
    const found = metadataDepth(e.metadata, `${prefix}metadata`);
    if (typeof e.occurredAt !== 'string') return found;
    const at = Date.parse(e.occurredAt);
    if (at > this.now().getTime() + CLOCK_SKEW_MS)
      found.push({ field: `${prefix}occurredAt`, message: 'must not be in the future' });
    return found;
  }
}

function normalized(e: EventInput): EventInput {
  return { ...e, category: e.category.toUpperCase() };
}

/** `page` and `limit` of the timeline: whole numbers, limit at most 100. */
export function pageOf(query: Record<string, unknown>): { page: number; limit: number } {
  const fields: FieldProblem[] = [];
  const int = (name: string, fallback: number, max: number): number => {
    const raw = query[name];
    if (raw === undefined) return fallback;
    const n = typeof raw === 'string' && /^\d{1,9}$/.test(raw) ? Number(raw) : Number.NaN;
    if (!(n >= 1 && n <= max)) fields.push({ field: name, message: `must be an integer from 1 to ${max}` });
    return n;
  };
  const page = int('page', 1, 1_000_000);
  const limit = int('limit', 20, 100);
  if (fields.length > 0) throw invalidInput(fields);
  return { page, limit };
}
