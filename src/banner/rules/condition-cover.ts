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

/**
 * What a condition requires for sure (the narrow side of `covers`), read once: each
 * requirement's canonical text, and per fact the value lists its `equal`/`in` leaves
 * confine that fact to. The lints compare every banner with every earlier one: working
 * from the conditions each time made a 440 KB rule set (720 banners) spend 75 % of its
 * 2.1 s reload here, all of it holding the event loop.
 */
export interface Required {
  texts: Set<string>;
  valuesByFact: Map<string, string[][]>;
}

/** What `wide` needs (its `all` parts), read once: each part's canonical text and the values it allows its fact. */
export interface Needed {
  text: string;
  allowed: { fact: string; values: Set<string> } | null;
}

export function requiredBy(narrow: Condition | null, segment: SegmentLookup): Required | null {
  if (narrow === null) return null;
  const texts = new Set<string>();
  const valuesByFact = new Map<string, string[][]>();
  for (const r of requirements(narrow, segment)) {
    texts.add(canonical(r));
    const allowed = allowedValues(r);
    if (allowed) valuesByFact.set(allowed.fact, [...(valuesByFact.get(allowed.fact) ?? []), allowed.values]);
  }
  return { texts, valuesByFact };
}

export function neededBy(wide: Condition | null): Needed[] | null {
  if (wide === null) return null;
  return conjuncts(wide).map((part) => {
    const allowed = allowedValues(part);
    return {
      text: canonical(part),
      allowed: allowed && { fact: allowed.fact, values: new Set(allowed.values) },
    };
  });
}

/** Whether what is required implies `needed`: the same condition, or a narrower `in`/`equal` on its fact. */
function implied(required: Required, needed: Needed): boolean {
  if (required.texts.has(needed.text)) return true;
  const { allowed } = needed;
  if (allowed === null) return false;
  return (required.valuesByFact.get(allowed.fact) ?? []).some((values) =>
    values.every((v) => allowed.values.has(v)),
  );
}

/** `covers` on conditions read once (requiredBy, neededBy). */
export function coversRead(wide: Needed[] | null, narrow: Required | null): boolean {
  if (wide === null) return true;
  if (narrow === null) return false;
  return wide.every((needed) => implied(narrow, needed));
}

/**
 * Whether `wide` holds for every request `narrow` holds for: a conservative syntactic
 * test (each `all` part of `wide` is required by `narrow`, directly or through its
 * segments, or narrowed by an `in`/`equal` on the same fact). It misses subtler
 * implications, never claims a false one. `wide` null: holds for everyone.
 */
export function covers(wide: Condition | null, narrow: Condition | null, segment: SegmentLookup): boolean {
  return coversRead(neededBy(wide), requiredBy(narrow, segment));
}
