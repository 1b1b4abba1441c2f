import { Almanac, Engine, Rule } from 'json-rules-engine';
import { LRUCache } from 'lru-cache';
import {
  asFactReference,
  type Condition,
  type FactReference,
  isAll,
  isAny,
  isNot,
  isSegmentRef,
  referenceName,
  splitFactName,
} from './conditions.js';
import { DecisionCache, DecisionCacheStats } from './decision-cache.js';
import { factReads } from './fact-reads.js';
import { CUSTOM_OPERATORS, TOTAL_BUILTIN_OPERATORS } from './operators.js';
import { type ConditionTrace, toTrace } from './trace.js';

/** What matched in one decision, as shared frozen lists. */
interface MatchedLists<D> {
  data: readonly D[];
  ids: readonly string[];
}

/** The part of an LRUCache the lists memo uses (method form: a RuleSet<string> is a RuleSet<unknown>). */
interface ListsMemo<D> {
  get(key: string): MatchedLists<D> | undefined;
  set(key: string, lists: MatchedLists<D>): unknown;
}

/** One rule as offerd compiles it: an id, a priority, a condition and what it carries. */
export interface RuleSpec<D> {
  id: string;
  priority: number;
  when: Condition;
  data: D;
}

export interface RuleOutcome<D> {
  id: string;
  priority: number;
  data: D;
  matched: boolean;
  /**
   * The condition tree with the fact values seen, only for explain: a decision served
   * from the cache is traced by evaluating that rule again on the same facts.
   */
  trace(): Promise<ConditionTrace>;
}

/** Facts of one evaluation: top-level ids, each a value (nested objects are reached by dotted paths). */
export type Facts = Record<string, unknown>;

/**
 * How `{segment: id}` is evaluated: `inline` re-evaluates the segment's condition
 * (used inside the segment set itself, where segments may build on each other);
 * `fact` looks the id up in the `segments` fact, the list of segments already
 * evaluated once for this request — far cheaper for every other rule set.
 */
export type SegmentMode = 'inline' | 'fact';

// The JSON shape json-rules-engine accepts; kept loose on purpose (it is its API, not ours).
type EngineCondition = Record<string, unknown>;

interface EvaluableRule {
  evaluate(almanac: Almanac): Promise<EngineRuleResult>;
}
interface EngineRuleResult {
  result: boolean;
  conditions: EngineCondition;
}

/** Dot-path lookup, ~3x faster than the default JSONPath and never walks the prototype chain. */
export function resolvePath(value: unknown, path: string): unknown {
  // Most paths are one key (`user.level` is fact `user`, path `level`): no split array then.
  if (!path.includes('.')) return ownValue(value, path);
  let current: unknown = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function ownValue(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' && Object.hasOwn(value, key)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

export function toEngineCondition(condition: Condition, mode: SegmentMode): EngineCondition {
  if (isAll(condition)) return { all: condition.all.map((c) => toEngineCondition(c, mode)) };
  if (isAny(condition)) return { any: condition.any.map((c) => toEngineCondition(c, mode)) };
  if (isNot(condition)) return { not: toEngineCondition(condition.not, mode) };
  if (isSegmentRef(condition)) {
    return mode === 'inline'
      ? { condition: condition.segment }
      : {
          fact: 'segments',
          operator: 'contains',
          value: condition.segment,
          name: `segment:${condition.segment}`,
        };
  }
  const { fact, path } = splitFactName(condition.fact);
  const value = engineValue(condition.value);
  return path === null
    ? { fact, operator: condition.operator, value }
    : { fact, path, operator: condition.operator, value };
}

/**
 * A value naming a fact reads it the way a condition's `fact` does: `{fact: user.purchases}`
 * is the `user` fact at path `purchases` (json-rules-engine would look for a fact called
 * `user.purchases`, which no request has); a path of its own goes on after the dotted part.
 * Any other value is the engine's as written.
 */
function engineValue(value: unknown): unknown {
  const ref = asFactReference(value);
  if (!ref || typeof ref.fact !== 'string') return value;
  const name = referenceName(ref as FactReference);
  const { fact, path } = splitFactName(name);
  return path === null ? { ...ref, fact } : { ...ref, fact, path };
}

/** json-rules-engine only accepts all/any/not/condition at the top of a rule. */
function topLevel(condition: EngineCondition): EngineCondition {
  return 'all' in condition || 'any' in condition || 'not' in condition || 'condition' in condition
    ? condition
    : { all: [condition] };
}

/**
 * An immutable, compiled set of rules evaluated by json-rules-engine.
 *
 * It does not call `Engine.run()`: the engine keeps one `status` for all runs, so
 * concurrent runs over rules of several priorities silently skip rules when another
 * run finishes (see stack notes; CacheControl/json-rules-engine shares `status` across
 * runs). Each evaluation instead gets its own Almanac and evaluates every rule with
 * `Rule#evaluate`; the Engine is only the registry of operators and shared conditions,
 * never mutated after build. Priorities are kept as data and ordered by the caller.
 */
export class RuleSet<D> {
  /** Decisions by the values the rules read; see DecisionCache. */
  readonly cache: DecisionCache;
  /** matchedData's and matchedIds's lists by outcome (one byte per rule), as many as decisions. */
  private readonly listsByContent: ListsMemo<D> = new LRUCache({
    max: DECISION_CACHE_CAPACITY,
  });

  private constructor(
    private readonly specs: readonly RuleSpec<D>[],
    private readonly rules: readonly EvaluableRule[],
    cache: DecisionCache,
  ) {
    this.cache = cache;
    this.data = Object.freeze(specs.map((s) => s.data));
  }

  static build<D>(
    specs: readonly RuleSpec<D>[],
    mode: SegmentMode,
    segments: ReadonlyMap<string, Condition> = new Map(),
    stats: DecisionCacheStats = new DecisionCacheStats(),
  ): RuleSet<D> {
    const engine = new Engine([], { allowUndefinedFacts: true, pathResolver: resolvePath });
    for (const op of [...TOTAL_BUILTIN_OPERATORS, ...CUSTOM_OPERATORS]) engine.addOperator(op);
    if (mode === 'inline') {
      for (const [id, condition] of segments) {
        // The name survives json-rules-engine's inlining, so a trace can say which segment it was.
        const named = { ...topLevel(toEngineCondition(condition, mode)), name: `inline:${id}` };
        engine.setCondition(id, named as never);
      }
    }
    const rules = specs.map((spec) => {
      const rule = new Rule({
        name: spec.id,
        priority: 1,
        conditions: topLevel(toEngineCondition(spec.when, mode)) as never,
        event: { type: 'match' },
      });
      engine.addRule(rule);
      return rule as unknown as EvaluableRule;
    });
    const reads = factReads(
      specs.map((s) => s.when),
      mode,
      segments,
    );
    return new RuleSet(specs, rules, new DecisionCache(reads, resolvePath, DECISION_CACHE_CAPACITY, stats));
  }

  get size(): number {
    return this.specs.length;
  }

  /** Each rule's data in definition order (the order of `matched`), one frozen list per set. */
  readonly data: readonly D[];

  /** Rule ids in definition order (the order of `matched`). */
  get ids(): string[] {
    return this.specs.map((s) => s.id);
  }

  /** The first rule (definition order) that holds, as `evaluate` reports it; null when none does. */
  async firstMatch(facts: Facts): Promise<RuleOutcome<D> | null> {
    const i = (await this.matched(facts)).indexOf(1);
    const spec = this.specs[i];
    if (!spec) return null;
    const seen = { ...facts };
    const { id, priority, data } = spec;
    return { id, priority, data, matched: true, trace: () => this.traceRule(i, seen) };
  }

  /**
   * Evaluates every rule against `facts`; outcomes come back in definition order.
   * Facts whose read values were evaluated before are answered from the cache.
   */
  async evaluate(facts: Facts): Promise<RuleOutcome<D>[]> {
    if (this.rules.length === 0) return [];
    const key = this.cache.keyOf(facts);
    const cached = key === null ? undefined : this.cache.get(key);
    if (cached) {
      const seen = { ...facts };
      return this.outcomes(await cached, (i) => this.traceRule(i, seen));
    }
    const running = this.run(facts);
    if (key !== null)
      this.cache.set(
        key,
        running.then((results) => matchedOf(results)),
      );
    const results = await running;
    return this.outcomes(matchedOf(results), (i) => {
      const result = results[i] as EngineRuleResult;
      return Promise.resolve(toTrace(result.conditions, result.result === true));
    });
  }

  /**
   * Which rules hold for `facts` (1 per rule, in definition order), decided as `evaluate`
   * decides — the cache, or json-rules-engine on a miss — without outcome objects or
   * traces: for serving paths that only read what matched. The array may be shared with
   * the cache: read it, never write it.
   */
  matched(facts: Facts): Promise<Uint8Array> {
    if (this.rules.length === 0) return Promise.resolve(NONE);
    const key = this.cache.keyOf(facts);
    const cached = key === null ? undefined : this.cache.get(key);
    if (cached) return cached;
    const decided = this.run(facts).then(matchedOf);
    if (key !== null) this.cache.set(key, decided);
    return decided;
  }

  /** The data of every rule that holds, in definition order (frozen, shared by equal outcomes). */
  async matchedData(facts: Facts): Promise<readonly D[]> {
    return this.lists(await this.matched(facts)).data;
  }

  /** The ids of every rule that holds, in definition order; frozen and shared like matchedData's. */
  async matchedIds(facts: Facts): Promise<readonly string[]> {
    return this.lists(await this.matched(facts)).ids;
  }

  /** The lists of one decision, by its content: one byte per rule, as a string key. */
  private lists(matched: Uint8Array): MatchedLists<D> {
    const key = Buffer.from(matched.buffer, matched.byteOffset, matched.length).toString('latin1');
    let lists = this.listsByContent.get(key);
    if (!lists) {
      const specs = this.specs.filter((_, i) => matched[i] === 1);
      lists = { data: Object.freeze(specs.map((s) => s.data)), ids: Object.freeze(specs.map((s) => s.id)) };
      this.listsByContent.set(key, lists);
    }
    return lists;
  }

  private run(facts: Facts, only?: number): Promise<EngineRuleResult[]> {
    const almanac = new Almanac({ allowUndefinedFacts: true, pathResolver: resolvePath });
    for (const [id, value] of Object.entries(facts)) almanac.addRuntimeFact(id, value);
    const rules = only === undefined ? this.rules : [this.rules[only] as EvaluableRule];
    return Promise.all(rules.map((rule) => rule.evaluate(almanac)));
  }

  private async traceRule(i: number, facts: Facts): Promise<ConditionTrace> {
    const [result] = await this.run(facts, i);
    if (!result) throw new Error(`rule ${i} is not in this set`);
    return toTrace(result.conditions, result.result === true);
  }

  private outcomes(matched: Uint8Array, trace: (i: number) => Promise<ConditionTrace>): RuleOutcome<D>[] {
    return this.specs.map((spec, i) => ({
      id: spec.id,
      priority: spec.priority,
      data: spec.data,
      matched: matched[i] === 1,
      trace: () => trace(i),
    }));
  }
}

/**
 * Distinct read values remembered per rule set. An entry is one byte per rule plus its
 * key, so even the ×10 benchmark rules stay well under a megabyte per set.
 */
const DECISION_CACHE_CAPACITY = 4096;

const NONE = new Uint8Array(0);

function matchedOf(results: readonly EngineRuleResult[]): Uint8Array {
  return Uint8Array.from(results, (r) => (r.result === true ? 1 : 0));
}

/** An outcome with its trace resolved, for explanations. */
export type TracedOutcome<D> = RuleOutcome<D> & { conditions: ConditionTrace };

/** Resolves the traces of `outcomes` (in order); explain paths only. */
export function traced<D>(outcomes: readonly RuleOutcome<D>[]): Promise<TracedOutcome<D>[]> {
  return Promise.all(outcomes.map(async (o) => ({ ...o, conditions: await o.trace() })));
}
