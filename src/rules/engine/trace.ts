/**
 * The "why" of a decision: a condition tree in offerd's own form, with the result of
 * every node and, on leaves, the fact value seen. Nodes skipped by short-circuit
 * have `result: null`.
 */
export type ConditionTrace =
  | { all: ConditionTrace[]; result: boolean | null }
  | { any: ConditionTrace[]; result: boolean | null }
  | { not: ConditionTrace; result: boolean | null }
  | { segment: string; result: boolean | null; conditions?: ConditionTrace }
  | { fact: string; operator: string; value: unknown; factValue: unknown; result: boolean | null };

type Node = Record<string, unknown>;

function resultOf(node: Node): boolean | null {
  return typeof node.result === 'boolean' ? node.result : null;
}

/** Converts json-rules-engine's evaluated condition tree back to offerd's form. */
export function toTrace(node: Node, rootResult?: boolean): ConditionTrace {
  if (rootResult !== undefined) return { ...toTrace(node), result: rootResult };
  const result = resultOf(node);
  if (typeof node.name === 'string' && node.name.startsWith('inline:')) {
    // json-rules-engine replaced the {condition} reference with the segment's own tree.
    const { name, ...tree } = node;
    const conditions = toTrace(tree);
    return { segment: name.slice('inline:'.length), result: conditions.result, conditions };
  }
  if (Array.isArray(node.all)) return { all: (node.all as Node[]).map((n) => toTrace(n)), result };
  if (Array.isArray(node.any)) return { any: (node.any as Node[]).map((n) => toTrace(n)), result };
  if (node.not && typeof node.not === 'object') return { not: toTrace(node.not as Node), result };
  if (typeof node.name === 'string' && node.name.startsWith('segment:')) {
    return { segment: node.name.slice('segment:'.length), result };
  }
  const fact = typeof node.path === 'string' ? `${String(node.fact)}.${node.path}` : String(node.fact);
  return { fact, operator: String(node.operator), value: node.value, factValue: node.factResult, result };
}

/** The leaves that decided a failed condition: the first false leaves, for "why not". */
export function failedLeaves(trace: ConditionTrace): ConditionTrace[] {
  if (trace.result !== false) return [];
  if ('all' in trace) return trace.all.flatMap(failedLeaves);
  if ('any' in trace) return trace.any.flatMap(failedLeaves);
  if ('not' in trace) return [trace];
  return [trace];
}

/**
 * Replaces `{segment}` leaves (segments evaluated once per request and passed as a fact)
 * by the segment's own evaluated tree, so an explanation reaches the fact values.
 */
export function expandSegments(
  trace: ConditionTrace,
  segments: ReadonlyMap<string, ConditionTrace>,
): ConditionTrace {
  if ('all' in trace) return { ...trace, all: trace.all.map((c) => expandSegments(c, segments)) };
  if ('any' in trace) return { ...trace, any: trace.any.map((c) => expandSegments(c, segments)) };
  if ('not' in trace) return { ...trace, not: expandSegments(trace.not, segments) };
  if ('segment' in trace && !trace.conditions) {
    const tree = segments.get(trace.segment);
    return tree ? { ...trace, conditions: tree } : trace;
  }
  return trace;
}
