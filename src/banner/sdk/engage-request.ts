import { type FieldProblem, invalidInput } from '../../http/app-error.js';
import { nestsDeeperThan } from '../../http/input-bounds.js';
import { type RequestSchema, RequestSchemas } from '../../http/request-schema.js';
import { isPlainObject } from '../banner-request.js';
import type { ProfileOperation } from '../domain/profile-ops.js';
import { groupProfileId, type ProfileKind } from '../store/profile-store.js';
import { insertKey, type RejectedRecord } from './sdk-events.js';
import { asList, dollarKeys, dollarName, idText } from './sdk-keys.js';
import {
  groupUpdatesMessages,
  groupUpdatesSchema,
  MAX_VALUE_DEPTH,
  PROFILE_OPERATIONS,
  profileUpdatesMessages,
  profileUpdatesSchema,
  spellings,
} from './sdk-schemas.js';

/** One profile update of an /engage or /groups body, before aliases are resolved. */
export interface SdkProfileUpdate {
  index: number;
  kind: ProfileKind;
  /** The distinct id as sent (a user), or the group's profile id. */
  id: string;
  operations: ProfileOperation[];
  /** Unity's queue item id, scoped as an event's (see retryKey): a retried update carries the same. */
  retryKey: string | null;
}

export interface SdkProfileBatch {
  updates: SdkProfileUpdate[];
  rejected: RejectedRecord[];
  size: number;
}

type Update = Record<string, unknown>;
type ValueOp = Exclude<ProfileOperation['op'], '$unset' | '$delete'>;

/** `[3].$add.coins` → record 3, field `$add.coins`; `[3]` → record 3 itself. */
const RECORD_FIELD = /^\[(\d+)\](?:\.(.*))?$/s;

/** Operations whose values are any JSON: how deep they nest is what the schema cannot say. */
const NESTING_OPS = new Set(['set', 'set_once', 'append'].flatMap(spellings));

function tooDeep(update: unknown, index: number): RejectedRecord[] {
  if (!isPlainObject(update)) return [];
  return Object.entries(update).flatMap(([op, values]) =>
    NESTING_OPS.has(op) && isPlainObject(values)
      ? Object.entries(values)
          .filter(([, v]) => nestsDeeperThan(v, MAX_VALUE_DEPTH))
          .map(([name]) => ({
            index,
            field: `${op}.${name}`,
            message: `nests deeper than ${MAX_VALUE_DEPTH} levels`,
          }))
      : [],
  );
}

/** The first of `keys` that holds an id (the schema has made sure one does). */
function firstId(update: Update, keys: readonly string[]): string {
  for (const key of keys) {
    const id = idText(update[key]);
    if (id !== null) return id;
  }
  throw new Error(`no id among ${keys.join(', ')} in a validated update`);
}

function targetOf(update: Update, kind: ProfileKind): string {
  if (kind === 'user') return firstId(update, ['$distinct_id', '_kb_distinct_id', 'distinct_id']);
  return groupProfileId(firstId(update, spellings('group_key')), firstId(update, spellings('group_id')));
}

/**
 * Unity re-sends its whole queue when a request fails or its answer is lost (Controller.cs),
 * so an /engage update already applied arrives again: without a key, a retried `$add` or
 * `$append` would apply twice. Its queue id (`id`, `Kibotu.PeopleN`) with the user and the
 * item's random `_kb_metadata._kb_event_id`, as for events (insertKey); the node SDK sends
 * no id with profile updates (and does not retry).
 */
function retryKeyOf(item: Update, kind: ProfileKind, target: string): string | null {
  const queueId = idText(item.id);
  if (queueId === null) return null;
  const meta = isPlainObject(item.$metadata) ? item.$metadata : {};
  return insertKey(['p', kind, target, queueId, idText(meta.$event_id)]);
}

/** A validated update's operations (`item` in `$` spelling), in the order they apply. */
function operationsOf(item: Update): ProfileOperation[] {
  return PROFILE_OPERATIONS.filter((op) => item[op] !== undefined).map((op): ProfileOperation => {
    const value = item[op];
    if (op === '$delete') return { op };
    if (op === '$unset') {
      // Names, not keys, so dollarKeys left them as sent: Unity's ClearCharges unsets
      // `_kb_transactions`, the property its TrackCharge appended to as `$transactions`.
      const names = typeof value === 'string' ? [value] : (value as string[]);
      return { op, names: names.map(dollarName) };
    }
    const values = Object.entries(value as Record<string, unknown>).map(([name, v]) =>
      // $union takes one value as a list of one, as the node SDK's helper does.
      op === '$union' && !Array.isArray(v) ? [name, [v]] : [name, v],
    );
    return { op: op as ValueOp, values: Object.fromEntries(values) };
  });
}

/** One valid update, its keys spelt `$` once for its operations and its retry key. */
function updateOf(raw: Update, index: number, kind: ProfileKind): SdkProfileUpdate {
  const item = dollarKeys(raw) as Update;
  const id = targetOf(raw, kind);
  return { index, kind, id, operations: operationsOf(item), retryKey: retryKeyOf(item, kind, id) };
}

/**
 * /engage (user profiles) and /groups bodies, validated against their schemas
 * (sdk-schemas.ts, compiled once per parser) update by update, in either SDK's spelling.
 * Invalid updates are rejected with their index and the schema's reason; the others
 * apply. Only a body that is no batch at all is refused whole.
 */
export class ProfileBatchParser {
  readonly #schemas: Record<ProfileKind, RequestSchema<Update[]>>;

  constructor() {
    const schemas = new RequestSchemas();
    this.#schemas = {
      user: schemas.compile(profileUpdatesSchema, { messages: profileUpdatesMessages }),
      group: schemas.compile(groupUpdatesSchema, { messages: groupUpdatesMessages }),
    };
  }

  parse(body: unknown, kind: ProfileKind): SdkProfileBatch {
    const list = asList(body) ?? body;
    const whole: FieldProblem[] = [];
    const rejected: RejectedRecord[] = [];
    for (const problem of this.#schemas[kind].problems(list)) {
      const record = RECORD_FIELD.exec(problem.field);
      if (record)
        rejected.push({ index: Number(record[1]), field: record[2] ?? '', message: problem.message });
      else whole.push(problem);
    }
    if (whole.length > 0 || !Array.isArray(list)) throw invalidInput(whole);
    rejected.push(...list.flatMap((raw: unknown, index) => tooDeep(raw, index)));
    const updates = list.flatMap((raw: Update, index): SdkProfileUpdate[] =>
      rejected.some((r) => r.index === index) ? [] : [updateOf(raw, index, kind)],
    );
    return { updates, rejected: rejected.sort((a, b) => a.index - b.index), size: list.length };
  }
}
