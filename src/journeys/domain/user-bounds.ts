/**
 * What one journeys user may hold once a patch is merged in. A request's tags and metadata
 * are bounded at the edge (50 keys each), but upserts merge into the stored user, so
 * without these a client could grow one user without end: 20 upserts of 14 keys × 65,000
 * characters made an 18 MB user, and as the embedded store rewrites a user's shard file
 * whole on each write, another user's upsert in that shard went from 28 to 680 ms.
 */

import { countJsonValues } from './json-values.js';

/** Keys of a user's `tags` after the merge: the edge's per-request 50, now for the user. */
export const MAX_USER_TAGS = 50;
/** Keys of a user's `metadata` after the merge, as for tags. */
export const MAX_USER_METADATA_KEYS = 50;
/**
 * Bytes of a user's `tags`, and of their `metadata`, each as JSON (UTF-8). 50 tags with
 * 64-character keys and values take ~6.7 KB; clients send a plan, a level, a few flags
 * (under 100 bytes in every fixture and example). A user at both caps is ~17 KB of a
 * shard file of ~270 KB (100,000 users on 512 shards).
 */
export const MAX_USER_FIELD_BYTES = 8192;
/**
 * JSON values of a user's `tags`, and of their `metadata` (every object, array and scalar
 * counts one). Tags are scalars (51 values at 50 keys); metadata may nest, and 8 KB of
 * `{}` are ~2,700 values, 170 KB of heap per user once stored. 512 leaves room for 50
 * keys with ~9 values each (fixtures and examples send 2) and holds each to 32 KB of heap
 * at worst, 64 bytes a value.
 */
export const MAX_USER_FIELD_VALUES = 512;

export const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));

/** One bound a merged user would break, named by the field the client sent. */
export interface UserBoundProblem {
  field: 'tags' | 'metadata';
  message: string;
}

/** An upsert refused because the merged user would break a bound; nothing was stored. */
export class UserBoundsError extends Error {
  constructor(readonly problems: readonly UserBoundProblem[]) {
    super(problems.map((p) => `${p.field} ${p.message}`).join('; '));
    this.name = 'UserBoundsError';
  }
}

type Fields = Record<string, unknown>;

function fieldProblems(
  field: 'tags' | 'metadata',
  current: Fields,
  next: Fields,
  maxKeys: number,
): UserBoundProblem[] {
  const found: UserBoundProblem[] = [];
  const keys = Object.keys(next).length;
  const had = Object.keys(current).length;
  const noun = field === 'tags' ? 'tags' : 'metadata keys';
  // A user stored past a bound before there was one may still shrink, or change without growing.
  if (keys > maxKeys && keys > had)
    found.push({
      field,
      message: `a user holds at most ${maxKeys} ${noun}; this update would make ${keys} (${had} stored)`,
    });
  const bytes = jsonBytes(next);
  if (bytes > MAX_USER_FIELD_BYTES) {
    const stored = jsonBytes(current);
    if (bytes > stored)
      found.push({
        field,
        message: `a user's ${field} hold at most ${MAX_USER_FIELD_BYTES} bytes of JSON (8 KB); this update would make ${bytes} (${stored} stored)`,
      });
  }
  if (countJsonValues(next, MAX_USER_FIELD_VALUES) > MAX_USER_FIELD_VALUES) {
    // Past the bound, counted whole for the message: no more work than the stringify above.
    const values = countJsonValues(next);
    const stored = countJsonValues(current, values);
    if (values > stored)
      found.push({
        field,
        message: `a user's ${field} hold at most ${MAX_USER_FIELD_VALUES} JSON values (every object, array and scalar counts one); this update would make ${values} (${stored} stored)`,
      });
  }
  return found;
}

/**
 * Throws UserBoundsError when the merged `next` tags or metadata break a bound that the
 * stored user (`current`, null for a new one) did not already break as much. Only what
 * the patch sends is checked: the other field is unchanged.
 */
export function checkUserBounds(
  current: { tags: Fields; metadata: Fields } | null,
  patch: { tags?: Fields; metadata?: Fields },
  next: { tags: Fields; metadata: Fields },
): void {
  const found = [
    ...(patch.tags ? fieldProblems('tags', current?.tags ?? {}, next.tags, MAX_USER_TAGS) : []),
    ...(patch.metadata
      ? fieldProblems('metadata', current?.metadata ?? {}, next.metadata, MAX_USER_METADATA_KEYS)
      : []),
  ];
  if (found.length > 0) throw new UserBoundsError(found);
}
