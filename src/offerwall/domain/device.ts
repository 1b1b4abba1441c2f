import type { Platform } from './offer.js';

/**
 * The platform a browser or app says it runs on, for client-side calls that do not
 * pass `device`. iPadOS reports itself as a Mac: without a touch hint we call it desktop.
 */
export function platformFromUserAgent(userAgent: string | undefined): Platform | null {
  if (!userAgent) return null;
  if (/Android/i.test(userAgent)) return 'android';
  if (/iPhone|iPad|iPod/i.test(userAgent) && !/Macintosh/i.test(userAgent)) return 'ios';
  if (/Windows NT|Macintosh|X11|Linux x86_64|CrOS/i.test(userAgent)) return 'desktop';
  return null;
}

/** OS version from a user agent (`iPhone OS 17_1`, `Android 14`), for when `os_version` is absent. */
export function osVersionFromUserAgent(userAgent: string | undefined): string | null {
  if (!userAgent) return null;
  const ios = /(?:iPhone|CPU) OS (\d+(?:_\d+){0,2})/.exec(userAgent);
  if (ios?.[1]) return ios[1].replace(/_/g, '.');
  const android = /Android (\d+(?:\.\d+){0,2})/.exec(userAgent);
  return android?.[1] ?? null;
}

/** Compares dotted versions numerically: "17.10" is above "17.9", "16" equals "16.0". */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}
