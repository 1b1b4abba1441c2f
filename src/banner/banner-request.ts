import { type FieldProblem, invalidInput } from '../http/app-error.js';
import { nestsDeeperThan } from '../http/input-bounds.js';
import type { BannerSettings } from './domain/banner-types.js';
import { toCountryCode, toLanguageCode } from './domain/iso-codes.js';

/** A validated getPersonalizedBanner request, with defaults and the country already resolved. */
export interface BannerRequest {
  userId: string;
  offerId: string;
  prizeKey: string;
  prizeKeySource: 'request' | 'default';
  prizeTypes: string[];
  countryIso2: string | null;
  countrySource: 'request' | 'geoip' | 'unknown';
  languageIso2: string | null;
  zipCode: string | null;
  occasion: string | null;
  /** Every body key that is not a request field: the vendor's "ContextObject". */
  context: Record<string, unknown>;
}

/** Body keys with a meaning of their own; every other key is context. */
export const REQUEST_FIELDS: ReadonlySet<string> = new Set([
  'userId',
  'offerId',
  'prizeKey',
  'prizeTypes',
  'countryIso2',
  'languageIso2',
  'zipCode',
  'postalCode',
  'occasion',
]);

const MAX_CONTEXT_KEYS = 100;
const MAX_CONTEXT_DEPTH = 8;
const MAX_PRIZE_TYPES = 20;
const POSTAL_CODE = /^[A-Za-z0-9][A-Za-z0-9 -]{0,11}$/;
const OCCASION = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function hasControlChars(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** A non-empty string without control characters, or a problem message. */
export function textProblem(value: unknown, max: number): string | null {
  if (typeof value !== 'string') return 'must be a string';
  if (value.trim() === '') return 'must not be empty';
  if (value.length > max) return `must be at most ${max} characters`;
  return hasControlChars(value) ? 'must not contain control characters' : null;
}

const present = (v: unknown): boolean => v !== undefined && v !== null;

class Fields {
  readonly problems: FieldProblem[] = [];
  constructor(readonly body: Record<string, unknown>) {}

  add(field: string, message: string): null {
    this.problems.push({ field, message });
    return null;
  }

  text(field: string, max: number, required: boolean): string | null {
    const value = this.body[field];
    if (!present(value)) return required ? this.add(field, 'is required') : null;
    const problem = textProblem(value, max);
    return problem ? this.add(field, problem) : (value as string);
  }

  code(field: string, canonical: (v: string) => string | null, what: string): string | null {
    const value = this.body[field];
    if (!present(value)) return null;
    const code = typeof value === 'string' ? canonical(value) : null;
    return code ?? this.add(field, `must be an ${what}`);
  }
}

function offerId(f: Fields): string | null {
  const value = f.body.offerId;
  if (typeof value === 'number')
    return Number.isFinite(value) ? String(value) : f.add('offerId', 'must be finite');
  return f.text('offerId', 128, true);
}

function prizeTypes(f: Fields, allowed: readonly string[]): string[] {
  const value = f.body.prizeTypes;
  if (!present(value)) return [];
  // One type sent as a bare string is taken as a list of one.
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list)) return f.add('prizeTypes', 'must be an array of prize types') ?? [];
  if (list.length > MAX_PRIZE_TYPES)
    return f.add('prizeTypes', `must have at most ${MAX_PRIZE_TYPES} items`) ?? [];
  list.forEach((t, i) => {
    if (typeof t !== 'string' || !allowed.includes(t)) {
      f.add(`prizeTypes[${i}]`, `must be one of: ${allowed.join(', ')}`);
    }
  });
  return [...new Set(list.filter((t): t is string => typeof t === 'string'))];
}

function zipCode(f: Fields): string | null {
  const read = (field: string): string | null => {
    const value = f.body[field];
    if (!present(value)) return null;
    const text = typeof value === 'number' && Number.isInteger(value) ? String(value) : value;
    if (typeof text === 'string' && POSTAL_CODE.test(text.trim())) return text.trim();
    return f.add(field, 'must be a postal code (letters, digits, spaces or hyphens; at most 12)');
  };
  const zip = read('zipCode');
  const postal = read('postalCode');
  if (zip !== null && postal !== null && zip !== postal) f.add('postalCode', 'differs from zipCode');
  return zip ?? postal;
}

function occasion(f: Fields): string | null {
  const value = f.body.occasion;
  if (!present(value)) return null;
  const normalized = typeof value === 'string' ? value.toLowerCase() : '';
  return OCCASION.test(normalized) ? normalized : f.add('occasion', 'must be an id such as level_up');
}

function context(f: Fields): Record<string, unknown> {
  const entries = Object.entries(f.body).filter(([k]) => !REQUEST_FIELDS.has(k));
  if (entries.length > MAX_CONTEXT_KEYS) f.add('body', `has more than ${MAX_CONTEXT_KEYS} context keys`);
  for (const [k, v] of entries) {
    if (nestsDeeperThan(v, MAX_CONTEXT_DEPTH)) f.add(k, `nests deeper than ${MAX_CONTEXT_DEPTH} levels`);
  }
  return Object.fromEntries(entries);
}

/**
 * Validates a getPersonalizedBanner body at the edge. Only userId and offerId are
 * required: a missing prizeKey takes the app's default, a missing countryIso2 the
 * caller's geo-IP country (null when unknown). Throws a 400 naming every bad field.
 */
export function parseBannerRequest(
  body: unknown,
  settings: BannerSettings,
  callerCountry: () => string | null,
): BannerRequest {
  if (!isPlainObject(body)) throw invalidInput([{ field: 'body', message: 'must be a JSON object' }]);
  const f = new Fields(body);
  const userId = f.text('userId', 256, true);
  const offer = offerId(f);
  const prizeKey = f.text('prizeKey', 128, false);
  const country = f.code('countryIso2', toCountryCode, 'ISO 3166-1 alpha-2 country code, e.g. DE');
  const language = f.code('languageIso2', toLanguageCode, 'ISO 639-1 language code, e.g. de');
  const request = {
    prizeTypes: prizeTypes(f, settings.prizeTypes),
    zipCode: zipCode(f),
    occasion: occasion(f),
    context: context(f),
  };
  if (f.problems.length > 0 || userId === null || offer === null) throw invalidInput(f.problems);
  const geo = present(body.countryIso2) ? null : callerCountry();
  return {
    userId,
    offerId: offer,
    prizeKey: prizeKey ?? settings.defaultPrizeKey,
    prizeKeySource: prizeKey === null ? 'default' : 'request',
    countryIso2: country ?? geo,
    countrySource: country !== null ? 'request' : geo !== null ? 'geoip' : 'unknown',
    languageIso2: language,
    ...request,
  };
}
