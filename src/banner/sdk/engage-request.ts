import { invalidInput } from '../../http/app-error.js';
import { nestsDeeperThan } from '../../http/input-bounds.js';
import { isPlainObject } from '../banner-request.js';
import type { ProfileOperation } from '../domain/profile-ops.js';
import { groupProfileId, type ProfileKind } from '../store/profile-store.js';
import type { RejectedRecord } from './sdk-events.js';
import { asList, dollarKeys, idText, textProblem } from './sdk-keys.js';

/** One profile update of an /engage or /groups body, before aliases are resolved. */
export interface SdkProfileUpdate {
  index: number;
  kind: ProfileKind;
  /** The distinct id as sent (a user), or the group's profile id. */
  id: string;
  operations: ProfileOperation[];
}

export interface SdkProfileBatch {
  updates: SdkProfileUpdate[];
  rejected: RejectedRecord[];
  size: number;
}

/** The order operations of one update apply in; `$delete` last, so it wins. */
const VALUE_OPS = ['$set', '$set_once', '$add', '$append', '$union', '$remove'] as const;
const MAX_UPDATES = 50;
const MAX_VALUE_DEPTH = 8;

type Check = (value: unknown) => string | null;

const anyValue: Check = (v) =>
  nestsDeeperThan(v, MAX_VALUE_DEPTH) ? `nests deeper than ${MAX_VALUE_DEPTH} levels` : null;
const finiteNumber: Check = (v) => (typeof v === 'number' && Number.isFinite(v) ? null : 'must be a number');
const scalar: Check = (v) =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
    ? null
    : 'must be a string or number';

const CHECKS: Record<(typeof VALUE_OPS)[number], Check> = {
  $set: anyValue,
  $set_once: anyValue,
  $add: finiteNumber,
  $append: anyValue,
  $union: (v) => (Array.isArray(v) ? (v.map(scalar).find((p) => p) ?? null) : scalar(v)),
  $remove: scalar,
};

function valueOp(
  op: (typeof VALUE_OPS)[number],
  raw: unknown,
  problems: RejectedRecord[],
  index: number,
): ProfileOperation | null {
  if (!isPlainObject(raw)) {
    problems.push({ index, field: op, message: 'must be an object of property names to values' });
    return null;
  }
  const values: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(raw)) {
    const problem = textProblem(name, 255) ?? CHECKS[op](value);
    if (problem) problems.push({ index, field: `${op}.${name}`, message: problem });
    // $union takes one value as a list of one, as the node SDK's helper does.
    else values[name] = op === '$union' && !Array.isArray(value) ? [value] : value;
  }
  return { op, values };
}

function unsetOp(raw: unknown, problems: RejectedRecord[], index: number): ProfileOperation | null {
  const names = typeof raw === 'string' ? [raw] : raw;
  if (!Array.isArray(names) || names.some((n) => textProblem(n, 255))) {
    problems.push({ index, field: '$unset', message: 'must be a list of property names' });
    return null;
  }
  return { op: '$unset', names: names as string[] };
}

function target(item: Record<string, unknown>, kind: ProfileKind): string | RejectedRecord {
  if (kind === 'group') {
    const key = idText(item.$group_key);
    const id = idText(item.$group_id);
    if (
      key === null ||
      id === null ||
      `${key}${id}`.length > 512 ||
      textProblem(key, 256) ||
      textProblem(id, 256)
    )
      return { index: 0, field: '$group_key', message: '$group_key and $group_id are required ids' };
    return groupProfileId(key, id);
  }
  const id = idText(item.$distinct_id) ?? idText(item.distinct_id);
  if (id === null || textProblem(id, 256)) {
    return { index: 0, field: '$distinct_id', message: 'is required (an id of at most 256 characters)' };
  }
  return id;
}

function parseUpdate(raw: unknown, index: number, kind: ProfileKind, out: SdkProfileBatch): void {
  if (!isPlainObject(raw)) {
    out.rejected.push({ index, field: '', message: 'must be an object' });
    return;
  }
  const item = dollarKeys(raw) as Record<string, unknown>;
  const id = target(item, kind);
  if (typeof id !== 'string') {
    out.rejected.push({ ...id, index });
    return;
  }
  const problems: RejectedRecord[] = [];
  const operations: ProfileOperation[] = [];
  for (const op of VALUE_OPS) {
    const parsed = item[op] === undefined ? null : valueOp(op, item[op], problems, index);
    if (parsed) operations.push(parsed);
  }
  const unset = item.$unset === undefined ? null : unsetOp(item.$unset, problems, index);
  if (unset) operations.push(unset);
  if (item.$delete !== undefined) operations.push({ op: '$delete' });
  if (operations.length === 0 && problems.length === 0) {
    problems.push({
      index,
      field: '',
      message: `no operation (one of ${[...VALUE_OPS, '$unset', '$delete'].join(', ')})`,
    });
  }
  if (problems.length > 0) out.rejected.push(...problems);
  else out.updates.push({ index, kind, id, operations });
}

/**
 * An /engage (user profiles) or /groups body, update by update, in either SDK's spelling.
 * Modifiers (`$ip`, `$time`, `$ignore_time`, `$ignore_alias`, `$latitude`…) are accepted
 * and ignored. Invalid updates are rejected with their index; the others apply.
 */
export function parseProfileBatch(body: unknown, kind: ProfileKind): SdkProfileBatch {
  const list = asList(body);
  if (!list) throw invalidInput([{ field: 'body', message: 'must be a JSON array of profile updates' }]);
  if (list.length > MAX_UPDATES) {
    throw invalidInput([
      { field: 'body', message: `at most ${MAX_UPDATES} updates per batch, got ${list.length}` },
    ]);
  }
  const out: SdkProfileBatch = { updates: [], rejected: [], size: list.length };
  for (const [i, raw] of list.entries()) parseUpdate(raw, i, kind, out);
  return out;
}
