import { createRequire } from 'node:module';
import path from 'node:path';
import { LRUCache } from 'lru-cache';
import { type CountryResponse, open, type Reader } from 'maxmind';
import { isReserved, reservedRanges } from './reserved-ranges.js';

/** Country of an IP address, or null when it is in a reserved range (reserved-ranges.ts), unknown or not an IP. */
export interface GeoIp {
  country(ip: string): string | null;
}

interface CountryRecord {
  country_code?: string;
  country?: { iso_code?: string };
}

/**
 * The country database shipped inside an npm package (CC0, no download at run time),
 * unless the config names a GeoIP2/GeoLite2 country file of the user's own.
 */
export function bundledGeoDatabase(): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('@ip-location-db/geo-whois-asn-country-mmdb/package.json');
  return path.join(path.dirname(pkg), 'geo-whois-asn-country.mmdb');
}

/** Addresses whose country is remembered, least recently asked first out (~1 MB). */
const COUNTRY_CACHE_SIZE = 10_000;

export async function openGeoIp(database: string | null): Promise<GeoIp> {
  const reader: Reader<CountryResponse> = await open<CountryResponse>(database ?? bundledGeoDatabase(), {
    watchForUpdates: false,
  });
  const reserved = reservedRanges();
  const lookup = (ip: string): string | null => {
    if (isReserved(reserved, ip)) return null;
    try {
      // The bundled DB uses {country_code}; MaxMind's own files use {country: {iso_code}}.
      const rec = reader.get(ip) as CountryRecord | null;
      return rec?.country_code ?? rec?.country?.iso_code ?? null;
    } catch {
      return null;
    }
  };
  // Countries of recently seen addresses (an SDK asks again and again from one address): the
  // reserved-range check builds a SocketAddress per call, 2 % of an offerwall request's CPU.
  const recent = new LRUCache<string, { country: string | null }>({ max: COUNTRY_CACHE_SIZE });
  return {
    country(ip: string): string | null {
      let known = recent.get(ip);
      if (known === undefined) {
        known = { country: lookup(ip) };
        recent.set(ip, known);
      }
      return known.country;
    },
  };
}
