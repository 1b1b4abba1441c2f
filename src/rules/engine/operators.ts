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

/**
 * json-rules-engine's `in` and `notIn` call `value.indexOf`, so a value-side fact that is
 * missing or not a list (`value: {fact: context.allowedCountries}` on a request without it)
 * threw, and the request was a 500 INTERNAL while /readyz stayed green (an operator probe).
 * These replace them, total like the others: a value that is not a list makes either false,
 * as a missing fact makes any condition false. A list's membership is as before.
 */
export const TOTAL_BUILTIN_OPERATORS: Operator[] = [
  new Operator('in', (fact: unknown, list: unknown) => Array.isArray(list) && list.indexOf(fact) > -1),
  new Operator('notIn', (fact: unknown, list: unknown) => Array.isArray(list) && list.indexOf(fact) === -1),
];

export const KNOWN_OPERATORS: ReadonlySet<string> = new Set([
  ...BUILTIN_OPERATORS,
  ...CUSTOM_OPERATORS.map((o) => o.name),
]);

/** Operators whose `value` must be an array (json-rules-engine throws otherwise). */
export const ARRAY_VALUE_OPERATORS: ReadonlySet<string> = new Set(['in', 'notIn', 'between', 'containsAny']);
