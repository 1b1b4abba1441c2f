import { type FieldProblem, invalidInput } from '../http/app-error.js';
import { nestsDeeperThan } from '../http/input-bounds.js';
import { type RequestSchema, RequestSchemas } from '../http/request-schema.js';
import {
  BANNER_REQUEST_FIELDS,
  personalizedBannerMessages,
  personalizedBannerSchema,
} from './banner-schemas.js';
import type { BannerRequest, BannerSettings } from './domain/banner-types.js';
import { toCountryCode, toLanguageCode } from './domain/iso-codes.js';
import { ANONYMOUS_USER } from './sdk/sdk-events.js';

export type { BannerRequest } from './domain/banner-types.js';

/** The body as its schema admits it (null is absent everywhere). */
interface BannerBody {
  userId: string;
  offerId: string | number;
  prizeKey?: string | null;
  prizeTypes?: string | string[] | null;
  countryIso2?: string | null;
  languageIso2?: string | null;
  zipCode?: string | number | null;
  postalCode?: string | number | null;
  occasion?: string | null;
  [context: string]: unknown;
}

/** Body keys with a meaning of their own; every other key is context. */
export const REQUEST_FIELDS: ReadonlySet<string> = new Set(BANNER_REQUEST_FIELDS);

const MAX_CONTEXT_KEYS = 100;
const MAX_CONTEXT_DEPTH = 8;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const present = <T>(v: T | null | undefined): v is T => v !== undefined && v !== null;

/** The formats banner schemas name, tested against the ISO code lists offerd ships. */
export const BANNER_FORMATS = {
  'iso3166-alpha2': (v: string) => toCountryCode(v) !== null,
  'iso639-1': (v: string) => toLanguageCode(v) !== null,
} as const;

/**
 * What the schema cannot say: the app's own prize types, both postal codes agreeing, the
 * context's size. Read defensively: it runs on a body the schema may have refused, so
 * one 400 names every problem.
 */
function appRules(body: Record<string, unknown>, allowed: readonly string[]): FieldProblem[] {
  const found: FieldProblem[] = [];
  // The shared user of events sent without an id: rendering for it would enroll it, and every
  // id-less purchase would then count in its variation (an outside probe: 20 of them moved an
  // arm's revenue per user from 1.96 to 9.37).
  if (body.userId === ANONYMOUS_USER)
    found.push({
      field: 'userId',
      message: `'${ANONYMOUS_USER}' holds the events sent without an id: it is no user`,
    });
  const types = typeof body.prizeTypes === 'string' ? [body.prizeTypes] : body.prizeTypes;
  if (Array.isArray(types)) {
    types.forEach((t, i) => {
      if (typeof t === 'string' && !allowed.includes(t))
        found.push({ field: `prizeTypes[${i}]`, message: `must be one of: ${allowed.join(', ')}` });
    });
  }
  const zip = postal(body.zipCode);
  const postalCode = postal(body.postalCode);
  if (zip !== null && postalCode !== null && zip !== postalCode) {
    found.push({ field: 'postalCode', message: 'differs from zipCode' });
  }
  const context = contextOf(body);
  if (Object.keys(context).length > MAX_CONTEXT_KEYS) {
    found.push({ field: 'body', message: `has more than ${MAX_CONTEXT_KEYS} context keys` });
  }
  for (const [k, v] of Object.entries(context)) {
    if (nestsDeeperThan(v, MAX_CONTEXT_DEPTH))
      found.push({ field: k, message: `nests deeper than ${MAX_CONTEXT_DEPTH} levels` });
  }
  return found;
}

/** A postal code as text: a whole number as its digits, white space around it trimmed. */
function postal(value: unknown): string | null {
  return typeof value === 'string' || typeof value === 'number' ? String(value).trim() : null;
}

function contextOf(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([k]) => !REQUEST_FIELDS.has(k)));
}

/** One problem per field, the schema's first. */
function merged(problems: FieldProblem[]): FieldProblem[] {
  const byField = new Map<string, FieldProblem>();
  for (const p of problems) if (!byField.has(p.field)) byField.set(p.field, p);
  return [...byField.values()];
}

/**
 * Validates getPersonalizedBanner bodies at the edge against `personalizedBannerSchema`
 * (compiled once per parser). Only userId and offerId are required: a missing prizeKey
 * takes the app's default, a missing countryIso2 the caller's geo-IP country (null when
 * unknown). Throws a 400 INVALID_INPUT naming every bad field.
 */
export class BannerRequestParser {
  readonly #schema: RequestSchema<BannerBody>;

  constructor() {
    const schemas = new RequestSchemas(BANNER_FORMATS);
    this.#schema = schemas.compile(personalizedBannerSchema, { messages: personalizedBannerMessages });
  }

  parse(body: unknown, settings: BannerSettings, callerCountry: () => string | null): BannerRequest {
    // Lenient client input (normalization) belongs here, before the schema sees the body.
    const problems = this.#schema.problems(body);
    if (isPlainObject(body)) problems.push(...appRules(body, settings.prizeTypes));
    if (problems.length > 0) throw invalidInput(merged(problems));
    return toRequest(body as BannerBody, settings, callerCountry);
  }
}

/** The validated body as a request: codes canonical, defaults and the country resolved. */
function toRequest(
  body: BannerBody,
  settings: BannerSettings,
  callerCountry: () => string | null,
): BannerRequest {
  const prizeKey = body.prizeKey ?? null;
  const country = present(body.countryIso2) ? toCountryCode(body.countryIso2) : null;
  const geo = present(body.countryIso2) ? null : callerCountry();
  const types = typeof body.prizeTypes === 'string' ? [body.prizeTypes] : (body.prizeTypes ?? []);
  return {
    userId: body.userId,
    offerId: String(body.offerId),
    prizeKey: prizeKey ?? settings.defaultPrizeKey,
    prizeKeySource: prizeKey === null ? 'default' : 'request',
    prizeTypes: [...new Set(types)],
    countryIso2: country ?? geo,
    countrySource: country !== null ? 'request' : geo !== null ? 'geoip' : 'unknown',
    languageIso2: present(body.languageIso2) ? toLanguageCode(body.languageIso2) : null,
    zipCode: postal(body.zipCode) ?? postal(body.postalCode),
    occasion: present(body.occasion) ? body.occasion.toLowerCase() : null,
    context: contextOf(body),
  };
}
