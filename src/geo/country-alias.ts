/**
 * Codes clients send for a country whose ISO 3166-1 code differs: `UK` (exceptionally
 * reserved, what people write) is `GB`. Shared so that every API stores a player's country
 * alike and one rule (`country: GB`) reads them all.
 */
const COUNTRY_ALIASES: Readonly<Record<string, string>> = { UK: 'GB' };

/** `code` in upper case, as its ISO 3166-1 code where it is a known alias. */
export function canonicalCountry(code: string): string {
  const upper = code.trim().toUpperCase();
  return COUNTRY_ALIASES[upper] ?? upper;
}
