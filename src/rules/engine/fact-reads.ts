import {
  asFactReference,
  type Condition,
  type FactCondition,
  type FactReference,
  isAll,
  isAny,
  isNot,
  isSegmentRef,
  referenceName,
  splitFactName,
} from './conditions.js';
import type { SegmentMode } from './rule-set.js';

/**
 * One value a rule set reads from its facts: a fact (with a dotted path inside it), or,
 * for rule sets that see segments as a fact, whether one segment is in `segments`.
 *
 * `thresholds` (sorted, distinct) is set when every condition that reads the value
 * compares it only with number constants, through operators whose answer for a number
 * depends on nothing but where it falls among those constants (see numberClassOperator):
 * then two numbers between the same two thresholds, or equal to the same one, get the
 * same answer from every rule, and the decision cache keys a number by that class
 * instead of its value. `null`: the value is keyed as it is.
 */
export type FactRead =
  | { kind: 'fact'; fact: string; path: string | null; thresholds: readonly number[] | null }
  | { kind: 'segment'; segment: string };

type ValueRead = Extract<FactRead, { kind: 'fact' }>;

const ORDER_OPERATORS = new Set(['lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive']);
const EQUALITY_OPERATORS = new Set(['equal', 'notEqual']);
const MEMBERSHIP_OPERATORS = new Set(['in', 'notIn']);
/**
 * Operators whose answer for any number is the same whatever the number: `exists` is true,
 * and the string and array operators are false (json-rules-engine's `contains` validates
 * an array fact; offerd's own check the type, see operators.ts).
 */
const NUMBER_BLIND_OPERATORS = new Set([
  'exists',
  'contains',
  'doesNotContain',
  'startsWith',
  'endsWith',
  'containsAny',
]);

const isNumber = (v: unknown): v is number => typeof v === 'number' && !Number.isNaN(v);

/**
 * The numbers a condition compares a number fact with, or null when its answer for a
 * number may depend on more than where the number falls among them (an unknown
 * operator, an order comparison with a non-number the engine would coerce, a `between`
 * that is not two numbers). Equality with a non-number is false for every number (the
 * engine compares with ===), so it adds nothing.
 */
function numberClassOperator(c: FactCondition): number[] | null {
  const { operator, value } = c;
  if (NUMBER_BLIND_OPERATORS.has(operator)) return [];
  if (EQUALITY_OPERATORS.has(operator)) return isNumber(value) ? [value] : [];
  if (ORDER_OPERATORS.has(operator)) return isNumber(value) ? [value] : null;
  if (MEMBERSHIP_OPERATORS.has(operator)) return Array.isArray(value) ? value.filter(isNumber) : null;
  if (operator === 'between')
    return Array.isArray(value) && value.length === 2 && value.every(isNumber) ? [...value] : null;
  return null;
}

function readId(fact: string, path: string | null): string {
  return `f:${fact}:${path ?? ''}`;
}

function factRead(name: string): ValueRead {
  return { kind: 'fact', ...splitFactName(name), thresholds: [] };
}

/**
 * A `value` of `{fact, path}` is a fact reference in json-rules-engine, read at run time
 * where toEngineCondition points it: its dotted fact split like a condition's, its path after.
 */
function referencedRead(value: unknown): ValueRead | null {
  const ref = asFactReference(value);
  if (!ref || typeof ref.fact !== 'string') return null;
  return { kind: 'fact', ...splitFactName(referenceName(ref as FactReference)), thresholds: null };
}

/**
 * Every value json-rules-engine can read while evaluating `conditions`, following
 * inlined segments, with the number thresholds each is compared with. The list is what
 * makes two evaluations equal: the same values (or number classes) at every read give
 * the same result for every rule.
 */
export function factReads(
  conditions: readonly Condition[],
  mode: SegmentMode,
  segments: ReadonlyMap<string, Condition>,
): FactRead[] {
  const reads = new Map<string, FactRead>();
  const valueRead = (read: ValueRead): ValueRead => {
    const id = readId(read.fact, read.path);
    const known = reads.get(id) as ValueRead | undefined;
    if (known) return known;
    reads.set(id, read);
    return read;
  };
  const compare = (read: ValueRead, numbers: readonly number[] | null) => {
    read.thresholds = numbers === null || read.thresholds === null ? null : [...read.thresholds, ...numbers];
  };
  const inlined = new Set<string>();
  const visit = (c: Condition): void => {
    if (isAll(c)) c.all.forEach(visit);
    else if (isAny(c)) c.any.forEach(visit);
    else if (isNot(c)) visit(c.not);
    else if (isSegmentRef(c)) {
      if (mode === 'fact') reads.set(`s:${c.segment}`, { kind: 'segment', segment: c.segment });
      else if (!inlined.has(c.segment)) {
        inlined.add(c.segment);
        const referenced = segments.get(c.segment);
        if (referenced) visit(referenced);
      }
    } else {
      const read = valueRead(factRead(c.fact));
      const reference = referencedRead(c.value);
      if (reference) {
        // Compared with another fact: both are keyed by value.
        compare(read, null);
        compare(valueRead(reference), null);
      } else compare(read, numberClassOperator(c));
    }
  };
  conditions.forEach(visit);
  return [...reads.values()].map((r) =>
    r.kind === 'fact' && r.thresholds !== null
      ? { ...r, thresholds: [...new Set(r.thresholds)].sort((a, b) => a - b) }
      : r,
  );
}
