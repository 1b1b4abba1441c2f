import { LRUCache } from 'lru-cache';
import type { FactRead } from './fact-reads.js';

/**
 * Encodes one read value so that two values with the same encoding are equal for every
 * operator: primitives by type and value, arrays and plain objects structurally.
 * Anything else (a Date, a Map, a class instance) is not encodable: `undefined`.
 */
function encode(value: unknown): string | undefined {
  switch (typeof value) {
    case 'number':
      return `n${value}`;
    case 'string':
      // Length-prefixed: unambiguous whatever the characters, without a call into JSON.
      return `s${value.length}:${value}`;
    case 'boolean':
      return value ? 't' : 'f';
    case 'undefined':
      return 'u';
    case 'object': {
      if (value === null) return 'N';
      if (Array.isArray(value)) {
        let out = '[';
        for (const item of value) {
          const e = encode(item);
          if (e === undefined) return undefined;
          out += `${e},`;
        }
        return `${out}]`;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return undefined;
      let out = '{';
      for (const [k, v] of Object.entries(value)) {
        const e = encode(v);
        if (e === undefined) return undefined;
        out += `${k.length}:${k}=${e},`;
      }
      return `${out}}`;
    }
    default:
      return undefined;
  }
}

/**
 * Lookups of the decision caches of every rule set an AppLoader compiled, for /metrics:
 * owned by the loader (one per process in main.ts), handed to each rule set it builds.
 */
export class DecisionCacheStats {
  hits = 0;
  misses = 0;
}

/**
 * The decisions of one rule set, memoized by the values its rules read. Owned by its
 * rule set, so it dies with the rules snapshot that holds it.
 *
 * json-rules-engine stays the evaluator: a miss runs every rule through it, and a
 * hit returns what it answered for exactly the same read values. Rules are pure
 * functions of those values (operators are synchronous and total), so a hit cannot
 * differ from a fresh run. What a request reads is usually coarse (country, level,
 * purchase count, days since last seen), so few distinct keys cover most requests;
 * the cache is bounded (lru-cache, least recently used goes first) so rules that read
 * high-cardinality facts cost a little memory and no correctness.
 */
export class DecisionCache {
  private readonly entries: LRUCache<string, Promise<Uint8Array>>;
  private readonly factReads: readonly Extract<FactRead, { kind: 'fact' }>[];
  private readonly segmentReads: readonly string[];
  hits = 0;
  misses = 0;

  constructor(
    reads: readonly FactRead[],
    private readonly resolve: (value: unknown, path: string) => unknown,
    readonly capacity: number,
    private readonly stats: DecisionCacheStats = new DecisionCacheStats(),
  ) {
    this.entries = new LRUCache({ max: capacity });
    this.factReads = reads.filter((r) => r.kind === 'fact');
    this.segmentReads = reads.flatMap((r) => (r.kind === 'segment' ? [r.segment] : []));
  }

  /** The key of `facts`, or null when a read value cannot be keyed (then nothing is cached). */
  keyOf(facts: Record<string, unknown>): string | null {
    let key = this.segmentReads.length === 0 ? '' : this.segmentPart(facts.segments);
    for (const read of this.factReads) {
      const fact = Object.hasOwn(facts, read.fact) ? facts[read.fact] : undefined;
      const e = encode(read.path === null ? fact : this.resolve(fact, read.path));
      if (e === undefined) return null;
      key += `${e}\u0000`;
    }
    return key;
  }

  /** One character per segment read: whether `segments` lists it. */
  private segmentPart(segments: unknown): string {
    if (!Array.isArray(segments)) return '0'.repeat(this.segmentReads.length);
    const listed = new Set<unknown>(segments);
    let part = '';
    for (const id of this.segmentReads) part += listed.has(id) ? '1' : '0';
    return part;
  }

  get(key: string): Promise<Uint8Array> | undefined {
    const found = this.entries.get(key);
    if (found) {
      this.hits += 1;
      this.stats.hits += 1;
    }
    return found;
  }

  set(key: string, decided: Promise<Uint8Array>): void {
    this.misses += 1;
    this.stats.misses += 1;
    this.entries.set(key, decided);
    // A failed evaluation is not a decision: the next request evaluates again.
    decided.catch(() => {
      if (this.entries.peek(key) === decided) this.entries.delete(key);
    });
  }

  get size(): number {
    return this.entries.size;
  }
}
