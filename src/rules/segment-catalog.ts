import { type Condition, segmentRefs } from './engine/conditions.js';
import { DecisionCacheStats } from './engine/decision-cache.js';
import { type Facts, type RuleOutcome, RuleSet } from './engine/rule-set.js';

export interface SegmentDefinition {
  id: string;
  description: string;
  conditions: Condition;
}

/** What segment evaluation returns: the ids that matched, and every outcome for explain. */
export interface SegmentMatch {
  ids: readonly string[];
  outcomes: RuleOutcome<SegmentDefinition>[];
}

/**
 * The app's named segments, compiled. A feature asks for the segments it uses
 * (`forIds`) so a request evaluates only those, once, and hands the matched ids to
 * its other rules as the `segments` fact.
 */
export class SegmentCatalog {
  private readonly conditions: ReadonlyMap<string, Condition>;

  /** `stats`: where the rule sets built from this catalog count their cache lookups (the loader's). */
  constructor(
    readonly definitions: readonly SegmentDefinition[],
    readonly stats: DecisionCacheStats = new DecisionCacheStats(),
  ) {
    this.conditions = new Map(definitions.map((d) => [d.id, d.conditions]));
  }

  has(id: string): boolean {
    return this.conditions.has(id);
  }

  get ids(): string[] {
    return this.definitions.map((d) => d.id);
  }

  /** A segment evaluator for `ids` (all segments when omitted). */
  forIds(ids?: Iterable<string>): SegmentEvaluator {
    const wanted = ids ? new Set(ids) : new Set(this.conditions.keys());
    const specs = this.definitions
      .filter((d) => wanted.has(d.id))
      .map((d) => ({ id: d.id, priority: 0, when: d.conditions, data: d }));
    // Only the segments these can reach are inlined: each API builds its own evaluator, and
    // inlining every segment of the app made each build cost the whole catalog.
    return new SegmentEvaluator(RuleSet.build(specs, 'inline', this.reachable(wanted), this.stats));
  }

  /** `ids` and every segment they reference, directly or through others, with their conditions. */
  private reachable(ids: ReadonlySet<string>): Map<string, Condition> {
    const out = new Map<string, Condition>();
    const stack = [...ids];
    while (stack.length > 0) {
      const id = stack.pop() as string;
      const c = this.conditions.get(id);
      if (c === undefined || out.has(id)) continue;
      out.set(id, c);
      stack.push(...segmentRefs(c));
    }
    return out;
  }
}

export class SegmentEvaluator {
  constructor(private readonly rules: RuleSet<SegmentDefinition>) {}

  async evaluate(facts: Facts): Promise<SegmentMatch> {
    const outcomes = await this.rules.evaluate(facts);
    return { ids: outcomes.filter((o) => o.matched).map((o) => o.id), outcomes };
  }

  /** `evaluate(facts).ids` without the outcomes: for serving paths that need only the ids. */
  matchedIds(facts: Facts): Promise<readonly string[]> {
    return this.rules.matchedIds(facts);
  }
}

/** Every segment a set of conditions needs, following references between segments. */
export function segmentsUsedBy(conditions: Iterable<Condition>, catalog: SegmentCatalog): Set<string> {
  const used = new Set<string>();
  const byId = new Map(catalog.definitions.map((d) => [d.id, d.conditions]));
  const visit = (id: string): void => {
    if (used.has(id)) return;
    used.add(id);
    const c = byId.get(id);
    if (c) for (const ref of segmentRefs(c)) visit(ref);
  };
  for (const c of conditions) for (const ref of segmentRefs(c)) visit(ref);
  return used;
}
