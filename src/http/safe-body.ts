import type { Context, Next } from 'koa';
import { AppError } from './app-error.js';

/** Keys that could reach an object's prototype when a body is merged or spread. */
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** The dotted path of the first forbidden key in `value`, if any. */
export function findForbiddenKey(value: unknown, path = ''): string | null {
  if (value === null || typeof value !== 'object') return null;
  for (const key of Object.keys(value)) {
    const here = path ? `${path}.${key}` : key;
    if (FORBIDDEN.has(key)) return here;
    const found = findForbiddenKey((value as Record<string, unknown>)[key], here);
    if (found) return found;
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
