import { Operator } from 'json-rules-engine';

/** json-rules-engine's built-in operators. */
export const BUILTIN_OPERATORS = [
  'equal',
  'notEqual',
  'lessThan',
  'lessThanInclusive',
  'greaterThan',
  'greaterThanInclusive',
  'in',
  'notIn',
  'contains',
  'doesNotContain',
] as const;

const isString = (v: unknown): v is string => typeof v === 'string';

/**
 * offerd's own operators. json-rules-engine requires custom operators to be
 * synchronous; each one is total (returns false rather than throwing on odd input).
 */
export const CUSTOM_OPERATORS: Operator[] = [
  new Operator(
    'exists',
    (fact: unknown, expected: unknown) => (fact !== undefined && fact !== null) === expected,
  ),
  new Operator(
    'startsWith',
    (fact: unknown, prefix: unknown) => isString(fact) && isString(prefix) && fact.startsWith(prefix),
  ),
  new Operator(
    'endsWith',
    (fact: unknown, suffix: unknown) => isString(fact) && isString(suffix) && fact.endsWith(suffix),
  ),
  new Operator(
    'between',
    (fact: unknown, range: unknown) =>
      typeof fact === 'number' &&
      Array.isArray(range) &&
      typeof range[0] === 'number' &&
      typeof range[1] === 'number' &&
      fact >= range[0] &&
      fact <= range[1],
  ),
  new Operator(
    'containsAny',
    (fact: unknown, values: unknown) =>
      Array.isArray(fact) && Array.isArray(values) && values.some((v) => fact.includes(v)),
  ),
];

export const KNOWN_OPERATORS: ReadonlySet<string> = new Set([
  ...BUILTIN_OPERATORS,
  ...CUSTOM_OPERATORS.map((o) => o.name),
]);

/** Operators whose `value` must be an array (json-rules-engine throws otherwise). */
export const ARRAY_VALUE_OPERATORS: ReadonlySet<string> = new Set(['in', 'notIn', 'between', 'containsAny']);
