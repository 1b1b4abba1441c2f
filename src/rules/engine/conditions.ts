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
