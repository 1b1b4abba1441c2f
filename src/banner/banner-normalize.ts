import { canonicalCountry } from '../geo/country-alias.js';
import { isPlainObject } from './banner-request.js';

/** What normalization changed that the client should hear about (the `X-Offerd-Warning` header). */
export interface Normalized {
  body: unknown;
  warnings: string[];
}

/** Fields an empty string means "not sent" for (the SDKs send "" for unset optional values). */
const OPTIONAL_TEXT = ['prizeKey', 'countryIso2', 'languageIso2', 'zipCode', 'postalCode', 'occasion'];
/** A BCP 47 language tag: its primary subtag is the ISO 639-1 code (`pt-BR` → `pt`, `zh_Hant_TW` → `zh`). */
const LANGUAGE_TAG = /^([A-Za-z]{2})(?:[-_][A-Za-z0-9]{1,8})+$/;

function country(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  // Only an alias is rewritten here: any other text is left for the validator to judge.
  const canonical = canonicalCountry(value);
  return canonical !== value.trim().toUpperCase() ? canonical : value.trim();
}

function language(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return LANGUAGE_TAG.exec(value.trim())?.[1] ?? value.trim();
}

/** Client-chosen names for a warning: quoted (so a comma or space inside one is seen), at most five. */
function named(values: readonly string[]): string {
  const shown = values.slice(0, 5).map((v) => JSON.stringify(v.slice(0, 40)));
  return values.length > 5 ? `${shown.join(', ')} and ${values.length - 5} more` : shown.join(', ');
}

/**
 * Lenient inputs real clients send, made canonical before validation — only where the
 * meaning is certain: an empty optional string is absent, `UK` is `GB`, a language tag
 * is its ISO 639-1 part, a numeric userId is its decimal string, and prize types outside
 * the app's list are dropped (named in a warning). Everything else is left for the
 * validator to accept or refuse with a 400.
 */
export function normalizeBannerBody(body: unknown, prizeTypes: readonly string[]): Normalized {
  if (!isPlainObject(body)) return { body, warnings: [] };
  const out: Record<string, unknown> = { ...body };
  for (const field of OPTIONAL_TEXT) if (out[field] === '') delete out[field];
  if (typeof out.userId === 'number' && Number.isSafeInteger(out.userId)) out.userId = String(out.userId);
  if ('countryIso2' in out) out.countryIso2 = country(out.countryIso2);
  if ('languageIso2' in out) out.languageIso2 = language(out.languageIso2);
  const warnings: string[] = [];
  const types = typeof out.prizeTypes === 'string' ? [out.prizeTypes] : out.prizeTypes;
  // Only a list of strings is filtered: with a non-string in it the validator refuses the
  // list anyway, and must name the item at the index the client sent it.
  if (Array.isArray(types) && types.every((t): t is string => typeof t === 'string')) {
    const unknown = types.filter((t) => !prizeTypes.includes(t));
    if (unknown.length > 0) warnings.push(`unknown prizeTypes ignored: ${named(unknown)}`);
    out.prizeTypes = types.filter((t) => prizeTypes.includes(t));
  }
  return { body: out, warnings };
}
