/**
 * Mixpanel-style profile operations, as the Kibotu SDKs send them to /engage and /groups
 * (`$set`, `$set_once`, `$add`, `$append`, `$union`, `$remove`, `$unset`, `$delete`).
 * Pure: a profile in, a new profile out; the store applies them under its own lock.
 */

export type ProfileProperties = Record<string, unknown>;

export type ProfileOperation =
  | { op: '$set' | '$set_once' | '$add' | '$append' | '$union' | '$remove'; values: ProfileProperties }
  | { op: '$unset'; names: string[] }
  | { op: '$delete' };

/** A list property keeps its newest items up to this many (Mixpanel caps lists too). */
export const MAX_LIST_ITEMS = 1000;
/** Properties of one profile; a write that would go past it fails and changes nothing. */
export const MAX_PROPERTIES = 500;

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
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
    const current = next[name];
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
        for (const item of listOf(value)) if (!list.some((x) => same(x, item))) list.push(item);
        next[name] = keepNewest(list);
        break;
      }
      case '$remove':
        if (Array.isArray(current)) next[name] = current.filter((x) => !same(x, value));
        break;
    }
  }
  return next;
}

/**
 * Applies one update's operations in the order given (the parser puts them in one fixed
 * order: $set, $set_once, $add, $append, $union, $remove, $unset, $delete last). Null:
 * the profile is deleted.
 * Throws when the result would have more than MAX_PROPERTIES properties, or an `$add`
 * would leave a number JSON cannot hold (±Infinity).
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
  return props;
}
