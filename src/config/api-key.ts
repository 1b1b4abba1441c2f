import { createHash, timingSafeEqual } from 'node:crypto';

/** The form keys are stored in: `sha256:<hex>`. Config never holds a raw key. */
export function hashApiKey(key: string): string {
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

/**
 * Constant-time comparison of two strings of possibly different length: their SHA-256
 * digests are compared, so the time says nothing of where they differ, nor of the secret's
 * length (comparing the strings' bytes had to return early when the lengths differed).
 */
export function safeEqual(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}
