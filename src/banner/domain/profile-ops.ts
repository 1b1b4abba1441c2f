/**
 * Mixpanel-style profile operations, as the Kibotu SDKs send them to /engage and /groups
 * (`$set`, `$set_once`, `$add`, `$append`, `$union`, `$remove`, `$unset`, `$delete`).
 * Pure: a profile in, a new profile out; the store applies them under its own lock.
 */

import { countJsonValues } from './json-values.js';

export type ProfileProperties = Record<string, unknown>;

export type ProfileOperation =
  | { op: '$set' | '$set_once' | '$add' | '$append' | '$union' | '$remove'; values: ProfileProperties }
  | { op: '$unset'; names: string[] }
  | { op: '$delete' };

/** A list property keeps its newest items up to this many (Mixpanel caps lists too). */
export const MAX_LIST_ITEMS = 1000;
/** Properties of one profile; a write that would go past it fails and changes nothing. */
export const MAX_PROPERTIES = 500;
/**
 * Bytes of one profile's JSON (UTF-8); a write that would take it past fails alone. It
 * holds what the other limits let an SDK build: the charge list at MAX_LIST_ITEMS (~49 KB
 * as the SDKs send charges) plus 500 short properties (~25 KB), with room to spare. It
 * bounds what each /engage rewrites: 33 requests of 15 × 60 KB had made one 30 MB profile
 * whose every update took ~1 s on the event loop, stalling other players 250-320 ms.
 */
export const MAX_PROFILE_BYTES = 128 * 1024;
/**
 * JSON values of one profile (every object, array and scalar counts one); a write that
 * would take it past fails alone. Bytes alone let `{}` (3 bytes, 64 of heap) fill a
 * profile: 10 /engage calls of 50 new users with three lists of 1,999 `{}` (9.0 MB) took
 * the heap from 35 to 225 MB. What the SDKs build is 3,502 values (1,000 charges of
 * `{$amount, $time}` and 500 short properties: 63 KB of JSON, 127 KB of heap); 5,000
 * leaves room for one more property on each charge, and holds a profile to 320 KB of heap
 * at worst (2.7 MB within the byte bound alone).
 */
export const MAX_PROFILE_VALUES = 5000;

/** Items are the same when their JSON is (Mixpanel compares values, not references). */
const encoded = (v: unknown): string => JSON.stringify(v);
const jsonBytes = (props: ProfileProperties): number => Buffer.byteLength(JSON.stringify(props));
const listOf = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const keepNewest = (list: unknown[]): unknown[] =>
  list.length > MAX_LIST_ITEMS ? list.slice(list.length - MAX_LIST_ITEMS) : list;

function applyOne(props: ProfileProperties, operation: ProfileOperation): ProfileProperties | null {
  if (operation.op === '$delete') return null;
  if (operation.op === '$unset') {
    const next = { ...props };
    for (const name of operation.names) delete next[name];
    return next;
  }
  const next = { ...props };
  for (const [name, value] of Object.entries(operation.values)) {
    // Own properties only: `toString` read Object.prototype's function, and $append/$union
    // onto it skipped a change they had acknowledged (hostile probe).
    const current = Object.hasOwn(next, name) ? next[name] : undefined;
    switch (operation.op) {
      case '$set':
        next[name] = value;
        break;
      case '$set_once':
        if (!Object.hasOwn(next, name)) next[name] = value;
        break;
      case '$add': {
        // A non-numeric current value is replaced, as Mixpanel does.
        const sum = (typeof current === 'number' ? current : 0) + (value as number);
        // Past ±1.8e308 the sum is ±Infinity, which JSON (files, jsonb) stores as null.
        if (!Number.isFinite(sum)) throw new RangeError(`$add.${name} would overflow a number`);
        next[name] = sum;
        break;
      }
      case '$append':
        if (current === undefined || Array.isArray(current))
          next[name] = keepNewest([...listOf(current), value]);
        break;
      case '$union': {
        if (current !== undefined && !Array.isArray(current)) break;
        const list = [...listOf(current)];
        // Each item encoded once, looked up in a set: comparing every new item with every
        // listed one was quadratic, 15 unions of 2,000 items held the event loop 12 s.
        const listed = new Set(list.map(encoded));
        for (const item of listOf(value)) {
          const key = encoded(item);
          if (listed.has(key)) continue;
          listed.add(key);
          list.push(item);
        }
        next[name] = keepNewest(list);
        break;
      }
      case '$remove':
        if (Array.isArray(current)) {
          const key = encoded(value);
          next[name] = current.filter((x) => encoded(x) !== key);
        }
        break;
    }
  }
  return next;
}

/**
 * Applies one update's operations in the order given (the parser puts them in one fixed
 * order: $set, $set_once, $add, $append, $union, $remove, $unset, $delete last). Null:
 * the profile is deleted.
 * Throws when the result would have more than MAX_PROPERTIES properties, MAX_PROFILE_BYTES
 * of JSON or MAX_PROFILE_VALUES values, or an `$add` would leave a number JSON cannot hold
 * (±Infinity).
 */
export function applyOperations(
  current: ProfileProperties | null,
  operations: readonly ProfileOperation[],
): ProfileProperties | null {
  let props: ProfileProperties | null = current ?? {};
  for (const operation of operations) {
    props = applyOne(props ?? {}, operation);
    if (props === null) return null;
  }
  if (Object.keys(props ?? {}).length > MAX_PROPERTIES) {
    throw new RangeError(`a profile holds at most ${MAX_PROPERTIES} properties`);
  }
  if (props !== null) {
    checkBytes(current, props);
    checkValues(current, props);
  }
  return props;
}

/** Throws when `next` is past MAX_PROFILE_BYTES and larger than `current`. */
function checkBytes(current: ProfileProperties | null, next: ProfileProperties): void {
  const bytes = jsonBytes(next);
  if (bytes <= MAX_PROFILE_BYTES) return;
  // A profile stored past the bound before there was one may still shrink, or change without growing.
  if (current !== null && bytes <= jsonBytes(current)) return;
  throw new RangeError(
    `a profile holds at most ${MAX_PROFILE_BYTES} bytes of JSON (128 KB); this update would make it ${bytes}`,
  );
}

/** Throws when `next` is past MAX_PROFILE_VALUES and holds more values than `current`. */
function checkValues(current: ProfileProperties | null, next: ProfileProperties): void {
  if (countJsonValues(next, MAX_PROFILE_VALUES) <= MAX_PROFILE_VALUES) return;
  // Past the bound, counted whole for the message: no more work than checkBytes' stringify.
  const values = countJsonValues(next);
  // As for bytes: a profile stored past the bound before there was one may shrink or keep its count.
  if (current !== null && countJsonValues(current, values) >= values) return;
  throw new RangeError(
    `a profile holds at most ${MAX_PROFILE_VALUES} JSON values (every object, array and scalar counts one); this update would make it ${values}${largest(next)}`,
  );
}

/** `, 2000 of them in items`: the property a client would look at first. */
function largest(props: ProfileProperties): string {
  let name = '';
  let most = 0;
  for (const [key, value] of Object.entries(props)) {
    const n = countJsonValues(value);
    if (n > most) [name, most] = [key, n];
  }
  return most > 1 ? `, ${most} of them in ${name}` : '';
}
