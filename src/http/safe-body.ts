import type { Context, Next } from 'koa';
import { AppError } from './app-error.js';

/** Keys that could reach an object's prototype when a body is merged or spread. */
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The dotted path of the first forbidden key in `value`, if any. The path is built on the
 * way back from a find: every request body is scanned, and building each key's path on
 * the way down made a string per key of every body.
 */
export function findForbiddenKey(value: unknown): string | null {
  if (value === null || typeof value !== 'object') return null;
  for (const key of Object.keys(value)) {
    if (FORBIDDEN.has(key)) return key;
    const found = findForbiddenKey((value as Record<string, unknown>)[key]);
    if (found !== null) return `${key}.${found}`;
  }
  return null;
}

/** Rejects bodies with prototype-polluting keys at the edge, before any code sees them. */
export function rejectPollutingKeys() {
  return (ctx: Context, next: Next): Promise<void> => {
    const key = findForbiddenKey((ctx.request as { body?: unknown }).body);
    if (key)
      throw new AppError(400, 'INVALID_INPUT', 'Invalid input', [
        { field: key, message: 'key is not allowed' },
      ]);
    return next();
  };
}
