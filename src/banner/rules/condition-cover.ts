import { type Condition, isAll, isSegmentRef } from '../../rules/engine/conditions.js';
import type { SegmentCatalog } from '../../rules/segment-catalog.js';

export type SegmentLookup = (id: string) => Condition | undefined;

export function lookupIn(catalog: SegmentCatalog): SegmentLookup {
  const byId = new Map(catalog.definitions.map((d) => [d.id, d.conditions]));
  return (id) => byId.get(id);
}

/** JSON with sorted keys: `{fact, operator, value}` written in another key order is the same condition. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

/**
 * What a condition requires for sure: itself, its `all` parts (nested), and through each
 * segment it requires, that segment's definition and its parts.
 */
function requirements(condition: Condition, segment: SegmentLookup, seen = new Set<string>()): Condition[] {
  const out: Condition[] = [condition];
  if (isAll(condition)) {
    for (const part of condition.all) out.push(...requirements(part, segment, seen));
  } else if (isSegmentRef(condition) && !seen.has(condition.segment)) {
    seen.add(condition.segment);
    const definition = segment(condition.segment);
    if (definition) out.push(...requirements(definition, segment, seen));
  }
  return out;
}

/** The parts that all hold when `condition` holds, its nested `all`s flattened. */
function conjuncts(condition: Condition): Condition[] {
  return isAll(condition) ? condition.all.flatMap(conjuncts) : [condition];
}

const isScalar = (v: unknown): boolean => v === null || ['string', 'number', 'boolean'].includes(typeof v);

type Leaf = { fact: string; operator: string; value: unknown };
const isLeaf = (c: Condition): c is Leaf => 'fact' in c && 'operator' in c;

/** The values a leaf confines its fact to (`equal v`, `in [..]`), or null when it is no such leaf. */
function allowedValues(c: Condition): { fact: string; values: string[] } | null {
  if (!isLeaf(c)) return null;
  if (c.operator === 'equal' && isScalar(c.value)) return { fact: c.fact, values: [canonical(c.value)] };
  // Only scalars: json-rules-engine compares with ===, so two equal-looking objects never match.
  if (c.operator === 'in' && Array.isArray(c.value) && c.value.every(isScalar)) {
    return { fact: c.fact, values: c.value.map(canonical) };
  }
  return null;
}

/** Whether `required` (known to hold) implies `needed`: the same condition, or a narrower `in`/`equal` on its fact. */
function implies(required: Condition, needed: Condition): boolean {
  if (canonical(required) === canonical(needed)) return true;
  const have = allowedValues(required);
  const want = allowedValues(needed);
  return (
    have !== null &&
    want !== null &&
    have.fact === want.fact &&
    have.values.every((v) => want.values.includes(v))
  );
}

/**
 * Whether `wide` holds for every request `narrow` holds for: a conservative syntactic
 * test (each `all` part of `wide` is required by `narrow`, directly or through its
 * segments, or narrowed by an `in`/`equal` on the same fact). It misses subtler
 * implications, never claims a false one. `wide` null: holds for everyone.
 */
export function covers(wide: Condition | null, narrow: Condition | null, segment: SegmentLookup): boolean {
  if (wide === null) return true;
  if (narrow === null) return false;
  const required = requirements(narrow, segment);
  return conjuncts(wide).every((needed) => required.some((r) => implies(r, needed)));
}
