/**
 * offerd's condition language: json-rules-engine's all/any/not/fact form, with two
 * additions for people who edit YAML: `fact` may be a dotted path (`user.purchases`)
 * and `{ segment: id }` references a named segment.
 */
export type Condition = AllCondition | AnyCondition | NotCondition | FactCondition | SegmentCondition;

export interface AllCondition {
  all: Condition[];
}
export interface AnyCondition {
  any: Condition[];
}
export interface NotCondition {
  not: Condition;
}
export interface FactCondition {
  fact: string;
  operator: string;
  value: unknown;
}
export interface SegmentCondition {
  segment: string;
}

/**
 * A fact name as conditions write it: a top-level fact, then keys inside it, dot-joined
 * (`user.eventCounts.AppStart`). The rule file schema holds `fact` to it; a value's fact
 * reference, joined with its path, is held to it too.
 */
export const FACT_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_-]+)*$/;

export function isAll(c: Condition): c is AllCondition {
  return 'all' in c;
}
export function isAny(c: Condition): c is AnyCondition {
  return 'any' in c;
}
export function isNot(c: Condition): c is NotCondition {
  return 'not' in c;
}
export function isSegmentRef(c: Condition): c is SegmentCondition {
  return 'segment' in c;
}

/** Visits every leaf with the JSON path (array of keys) that leads to it. */
export function forEachLeaf(
  condition: Condition,
  path: (string | number)[],
  visit: (leaf: FactCondition | SegmentCondition, path: (string | number)[]) => void,
): void {
  if (isAll(condition)) {
    condition.all.forEach((c, i) => {
      forEachLeaf(c, [...path, 'all', i], visit);
    });
  } else if (isAny(condition)) {
    condition.any.forEach((c, i) => {
      forEachLeaf(c, [...path, 'any', i], visit);
    });
  } else if (isNot(condition)) {
    forEachLeaf(condition.not, [...path, 'not'], visit);
  } else {
    visit(condition, path);
  }
}

/** Segment ids a condition references directly. */
export function segmentRefs(condition: Condition): string[] {
  const refs: string[] = [];
  forEachLeaf(condition, [], (leaf) => {
    if (isSegmentRef(leaf)) refs.push(leaf.segment);
  });
  return refs;
}

/**
 * A condition's `value` that names a fact instead of a constant — json-rules-engine's
 * `{fact, path?, params?}`, which it reads at run time (any object with an own `fact`
 * key is one, whatever else it holds). Its `fact` may be dotted like a condition's.
 */
export interface FactReference {
  fact: string;
  path?: string;
  params?: unknown;
}

/** The value as a fact reference, when json-rules-engine would read it as one (its `fact` maybe not a string yet). */
export function asFactReference(value: unknown): { fact: unknown; path?: unknown; params?: unknown } | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, 'fact')
    ? (value as { fact: unknown })
    : null;
}

/** The dotted name a reference reads, as a condition's `fact` would name it: `user` + `limits.daily`. */
export function referenceName(ref: FactReference): string {
  return typeof ref.path === 'string' && ref.path !== '' ? `${ref.fact}.${ref.path}` : ref.fact;
}

/** A dotted name split where json-rules-engine needs it: the top-level fact, and the path inside it. */
export function splitFactName(name: string): { fact: string; path: string | null } {
  const dot = name.indexOf('.');
  return dot < 0 ? { fact: name, path: null } : { fact: name.slice(0, dot), path: name.slice(dot + 1) };
}

/**
 * Visits every fact name a condition reads, with the JSON path to where it is written:
 * each leaf's `fact` (at `…/fact`) and, when its value names a fact, that one too (at
 * `…/value/fact`, the reference's path joined on). The one walker every fact check uses,
 * so no kind checks one side and forgets the other. A reference whose fact is not a
 * string, or whose name is not one (a path like `$[`), is skipped: checkCondition
 * reports its form.
 */
export function forEachFactName(
  condition: Condition,
  path: (string | number)[],
  visit: (name: string, at: (string | number)[], leaf: FactCondition) => void,
): void {
  forEachLeaf(condition, path, (leaf, at) => {
    if (isSegmentRef(leaf)) return;
    visit(leaf.fact, [...at, 'fact'], leaf);
    const ref = asFactReference(leaf.value);
    if (ref && typeof ref.fact === 'string' && (ref.path === undefined || typeof ref.path === 'string')) {
      const name = referenceName(ref as FactReference);
      if (FACT_NAME.test(name)) visit(name, [...at, 'value', 'fact'], leaf);
    }
  });
}
