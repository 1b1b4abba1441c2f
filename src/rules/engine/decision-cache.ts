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
 * A number's place among a read's sorted thresholds: `c2i` between the i-th and the next
 * (below all: `c0`), `c2i+1` equal to the i-th. Every rule reading the value answers the
 * same for numbers of one class (see FactRead's `thresholds`), so `daysSinceLastSeen`
 * 3.2 and 4.7 share a decision where the rules compare it with 1, 7 and 30 only.
 */
function numberClass(value: number, thresholds: readonly number[]): string {
  let lo = 0;
  let hi = thresholds.length;
  // The first threshold not below the value.
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((thresholds[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return thresholds[lo] === value ? `c${2 * lo + 1}` : `c${2 * lo}`;
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
 * the cache is bounded in entries and in key characters (lru-cache, least recently used
 * goes first) so rules that read high-cardinality facts or a client's long text cost a
 * little memory and no correctness.
 */
export class DecisionCache {
  /**
   * What one cache may hold of its keys, in characters (at most 2 bytes each). A key holds
   * every value the rules read, in full, and some are the client's own text (a banner
   * request's `context`, an /engage property): bounded by count alone, 4,096 keys of a
   * 1 MB body pinned 4 GB until the next reload (a hostile client's probe ran a 384 MB
   * heap out of memory in 385 requests). Keys of coarse facts are tens to hundreds of
   * characters, so 4,096 of them stay within it and the count is the bound that acts.
   */
  static readonly MAX_HELD_KEY_CHARS = 4 * 1024 * 1024;
  /** A longer key is a client's text, not a coarse fact: evaluated every time, never kept. */
  static readonly MAX_KEY_CHARS = 16 * 1024;
  private readonly entries: LRUCache<string, Promise<Uint8Array>>;
  private readonly factReads: readonly Extract<FactRead, { kind: 'fact' }>[];
  /** Segment id → its position among the reads. */
  private readonly segmentReads: ReadonlyMap<string, number>;
  hits = 0;
  misses = 0;

  constructor(
    reads: readonly FactRead[],
    private readonly resolve: (value: unknown, path: string) => unknown,
    readonly capacity: number,
    private readonly stats: DecisionCacheStats = new DecisionCacheStats(),
  ) {
    this.entries = new LRUCache({
      max: capacity,
      maxSize: DecisionCache.MAX_HELD_KEY_CHARS,
      maxEntrySize: DecisionCache.MAX_KEY_CHARS,
      sizeCalculation: (_decided, key) => Math.max(1, key.length),
    });
    this.factReads = reads.filter((r) => r.kind === 'fact');
    const segments = reads.flatMap((r) => (r.kind === 'segment' ? [r.segment] : []));
    this.segmentReads = new Map(segments.map((id, i) => [id, i]));
  }

  /** The key of `facts`, or null when a read value cannot be keyed (then nothing is cached). */
  keyOf(facts: Record<string, unknown>): string | null {
    let key = this.segmentReads.size === 0 ? '' : this.segmentPart(facts.segments);
    for (const read of this.factReads) {
      const fact = Object.hasOwn(facts, read.fact) ? facts[read.fact] : undefined;
      const value = read.path === null ? fact : this.resolve(fact, read.path);
      const e =
        read.thresholds !== null && Number.isFinite(value)
          ? numberClass(value as number, read.thresholds)
          : encode(value);
      if (e === undefined) return null;
      key += `${e}\u0000`;
    }
    return key;
  }

  /**
   * Which of the segments this set reads `segments` lists: their positions among the
   * reads, in the list's order (a list in another order is another key for the same
   * decision: a miss, never a wrong answer). Walks the request's list, not every read:
   * the ×10 bench rules read 160 segments, and a character per read was 6 % of a banner
   * request's CPU.
   */
  private segmentPart(segments: unknown): string {
    let part = '';
    if (Array.isArray(segments)) {
      for (const id of segments) {
        const at = typeof id === 'string' ? this.segmentReads.get(id) : undefined;
        if (at !== undefined) part += `${at},`;
      }
    }
    return `${part};`;
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

  /** The characters of the keys held. */
  get heldKeyChars(): number {
    return this.entries.calculatedSize;
  }
}
