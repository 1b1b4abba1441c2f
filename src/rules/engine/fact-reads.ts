import { type Condition, isAll, isAny, isNot, isSegmentRef } from './conditions.js';
import type { SegmentMode } from './rule-set.js';

/**
 * One value a rule set reads from its facts: a fact (with a dotted path inside it), or,
 * for rule sets that see segments as a fact, whether one segment is in `segments`.
 */
export type FactRead =
  | { kind: 'fact'; fact: string; path: string | null }
  | { kind: 'segment'; segment: string };

function factRead(fact: string): FactRead {
  const dot = fact.indexOf('.');
  return dot < 0
    ? { kind: 'fact', fact, path: null }
    : { kind: 'fact', fact: fact.slice(0, dot), path: fact.slice(dot + 1) };
}

/**
 * Every value json-rules-engine can read while evaluating `conditions`, following
 * inlined segments. A `value` that is itself `{fact, path}` is a fact reference in
 * json-rules-engine and is read too. The list is what makes two evaluations equal:
 * the same values at every read give the same result for every rule.
 */
export function factReads(
  conditions: readonly Condition[],
  mode: SegmentMode,
  segments: ReadonlyMap<string, Condition>,
): FactRead[] {
  const reads = new Map<string, FactRead>();
  const add = (read: FactRead) => {
    const id = read.kind === 'fact' ? `f:${read.fact}:${read.path ?? ''}` : `s:${read.segment}`;
    if (!reads.has(id)) reads.set(id, read);
  };
  const inlined = new Set<string>();
  const visit = (c: Condition): void => {
    if (isAll(c)) c.all.forEach(visit);
    else if (isAny(c)) c.any.forEach(visit);
    else if (isNot(c)) visit(c.not);
    else if (isSegmentRef(c)) {
      if (mode === 'fact') add({ kind: 'segment', segment: c.segment });
      else if (!inlined.has(c.segment)) {
        inlined.add(c.segment);
        const referenced = segments.get(c.segment);
        if (referenced) visit(referenced);
      }
    } else {
      add(factRead(c.fact));
      const v = c.value as { fact?: unknown; path?: unknown } | null;
      if (v !== null && typeof v === 'object' && !Array.isArray(v) && typeof v.fact === 'string') {
        // json-rules-engine resolves {fact, path} values at run time, with the fact's id as written.
        add({ kind: 'fact', fact: v.fact, path: typeof v.path === 'string' ? v.path : null });
      }
    }
  };
  conditions.forEach(visit);
  return [...reads.values()];
}
