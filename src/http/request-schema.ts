import { isIP } from 'node:net';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { createAjv } from '../rules/schemas/ajv.js';
import type { FieldProblem } from './app-error.js';

/**
 * What a client reads when a field fails, keyed by the field's name with array indexes
 * written `[]` (`prizeTypes[]`, `[].properties.time`) and, where the client picks the
 * name, its last property name written `*` (`[].$add.*`): one message for any failure but
 * a missing field, or one per ajv keyword (`required` included). Unnamed fields and
 * keywords get ajv's own message.
 */
export type SchemaMessages = Readonly<Record<string, string | Readonly<Record<string, string>>>>;

export interface RequestSchemaOptions {
  messages?: SchemaMessages;
  /** Starts every message with the field's name (`wall is required`), the offerwall's style. */
  nameInMessage?: boolean;
}

/** `/events/3/eventType` → `events[3].eventType`, the way clients name fields. */
export function fieldName(e: ErrorObject): string {
  const parts = e.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (e.keyword === 'required') parts.push(String(e.params.missingProperty));
  // The unknown field itself, not the object around it: the client sees which name to drop.
  // An empty name is written "" (an empty field is the body itself).
  if (e.keyword === 'additionalProperties') parts.push(String(e.params.additionalProperty) || '""');
  return parts.reduce(
    (name, part) => (/^\d+$/.test(part) ? `${name}[${part}]` : name ? `${name}.${part}` : part),
    '',
  );
}

/** An enum's value as a message writes it: a word as is, null and "" as JSON (a join made null nothing: "tablet, "). */
const enumValue = (v: unknown): string => (typeof v === 'string' && v !== '' ? v : JSON.stringify(v));

function defaultMessage(e: ErrorObject): string {
  if (e.keyword === 'required') return 'is required';
  if (e.keyword === 'additionalProperties') return 'is not a field of this request';
  if (e.keyword === 'enum') {
    return `must be one of ${(e.params.allowedValues as unknown[]).map(enumValue).join(', ')}`;
  }
  return e.message ?? 'is invalid';
}

/** `[3].$add.coins[2]` → `[].$add.*[]`: a property name the client chose, as messages write it. */
const ANY_NAME = /\.[^.[\]]+((?:\[\])*)$/;

function messageOf(e: ErrorObject, field: string, messages: SchemaMessages): string {
  const key = field.replace(/\[\d+\]/g, '[]');
  const custom = messages[key] ?? messages[key.replace(ANY_NAME, '.*$1')];
  if (typeof custom === 'object') return custom[e.keyword] ?? defaultMessage(e);
  if (typeof custom === 'string' && e.keyword !== 'required') return custom;
  return defaultMessage(e);
}

export type Checked<T> = { ok: true; value: T } | { ok: false; problems: FieldProblem[] };

/**
 * One request schema, compiled once: its problems for a value, one per field, in the
 * client's words. A value with no problems is a `T` (what the schema admits).
 */
export class RequestSchema<T> {
  constructor(
    private readonly validate: ValidateFunction,
    private readonly options: RequestSchemaOptions,
    private readonly declared: Declared,
  ) {}

  /**
   * A query string (and any `path` parameters) checked against this schema, its values
   * typed strictly by `queryInput`; a repeated parameter is one problem, said once.
   */
  checkQuery(query: Query, path: Readonly<Record<string, string>> = {}): Checked<T> {
    const input = queryInput(query, this.declared);
    // A path parameter is the path's, whatever the query string says of the same name.
    const values = Object.assign(input.values, path);
    const repeated = input.repeated.filter((field) => !Object.hasOwn(path, field));
    const problems = repeated.map((field) =>
      this.problem(
        field,
        Object.hasOwn(query, field)
          ? 'must be given once'
          : `must be given as ${field}=<value>, not with brackets`,
      ),
    );
    const checked = this.check(values);
    if (checked.ok && problems.length === 0) return checked;
    if (!checked.ok) problems.push(...checked.problems.filter((p) => !repeated.includes(p.field)));
    return { ok: false, problems };
  }

  /** `value` as a `T` when the schema admits it, else every problem of it. */
  check(value: unknown): Checked<T> {
    const problems = this.problems(value);
    return problems.length === 0 ? { ok: true, value: value as T } : { ok: false, problems };
  }

  /** Every problem of `value`, the first one per field (for `x or null` ajv reports every branch). */
  problems(value: unknown): FieldProblem[] {
    if (this.validate(value)) return [];
    const byField = new Map<string, FieldProblem>();
    // ajv overwrites validate.errors on the next call: copy before anything else.
    for (const e of [...(this.validate.errors ?? [])]) {
      // A failed `then`/`else` is reported twice: by its own errors, which say what is
      // wrong, and by `if`, which only says that the branch failed.
      if (e.keyword === 'if') continue;
      const field = fieldName(e) || 'body';
      if (byField.has(field)) continue;
      byField.set(field, {
        field,
        message: this.#say(field, messageOf(e, field, this.options.messages ?? {})),
      });
    }
    return [...byField.values()];
  }

  /** A problem found outside the schema, worded the way this schema words its own. */
  problem(field: string, message: string): FieldProblem {
    return { field, message: this.#say(field, message) };
  }

  #say(field: string, message: string): string {
    return this.options.nameInMessage ? `${field} ${message}` : message;
  }
}

/**
 * The request schemas of one API, compiled with one draft 2020-12 validator (strict,
 * every error, formats). `ipv4` is node's own test, the one the rest of offerd uses;
 * `non-blank` is a string with something besides white space.
 */
export class RequestSchemas {
  readonly #ajv = createAjv();

  /** `formats`: an API's own string formats (`iso3166-alpha2`), each a test of the value. */
  constructor(formats: Readonly<Record<string, (value: string) => boolean>> = {}) {
    this.#ajv.addFormat('ipv4', (value: string) => isIP(value) === 4);
    this.#ajv.addFormat('non-blank', (value: string) => value.trim() !== '');
    for (const [name, test] of Object.entries(formats)) this.#ajv.addFormat(name, test);
  }

  compile<T>(schema: object, options: RequestSchemaOptions = {}): RequestSchema<T> {
    return new RequestSchema<T>(this.#ajv.compile(schema), options, schema as Declared);
  }
}

type Query = Record<string, string | string[] | undefined>;
/** A schema as `queryInput` reads it: the declared type of each property. */
type Declared = {
  readonly properties?: Readonly<Record<string, object>>;
  /** false: a closed query (the admin actions'), whose unknown parameters are refused. */
  readonly additionalProperties?: boolean;
};

const INTEGER = /^[0-9]+$/;
const DECIMAL = /^[0-9]+(\.[0-9]+)?$/;

/** A query value as the type its schema declares, when it is written exactly that way; as sent otherwise. */
function typed(value: string, type: unknown): unknown {
  if (type === 'integer' && INTEGER.test(value)) return Number(value);
  if (type === 'number' && DECIMAL.test(value)) return Number(value);
  if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

/**
 * A query string as the object its schema validates. The coercion is explicit and strict
 * (digits only for an integer: no sign, space, exponent or hex, which ajv's `coerceTypes`
 * would take); an empty value is absent; a parameter given twice is a problem of its own.
 */
export function queryInput(
  query: Query,
  schema: Declared,
): { values: Record<string, unknown>; repeated: string[] } {
  const values: Record<string, unknown> = {};
  const repeated: string[] = [];
  const properties = schema.properties ?? {};
  for (const [name, property] of Object.entries(properties)) {
    const raw = query[name];
    if (Array.isArray(raw)) repeated.push(name);
    else if (raw !== undefined && raw !== '')
      values[name] = typed(raw, (property as { type?: unknown }).type);
  }
  // `page[]=2` (a client's array form) is a key of its own: it was ignored, silently serving
  // page 1 (hostile probe). A declared parameter in that form counts as given more than once.
  for (const key of Object.keys(query)) {
    const open = key.indexOf('[');
    if (open <= 0 || !key.endsWith(']')) continue;
    const name = key.slice(0, open);
    if (Object.hasOwn(properties, name) && !repeated.includes(name)) repeated.push(name);
  }
  // A closed query's other parameters go to the schema, which names each as no field of it. An
  // open one (the vendor APIs': clients add their own parameters) ignores them.
  if (schema.additionalProperties === false) {
    for (const key of Object.keys(query)) {
      const open = key.indexOf('[');
      const bracketed = open > 0 && key.endsWith(']') && Object.hasOwn(properties, key.slice(0, open));
      if (!Object.hasOwn(properties, key) && !bracketed) values[key] = '';
    }
  }
  return { values, repeated };
}
