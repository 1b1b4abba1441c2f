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
 * The decisions of one rule set, memoized by the values its rules read.
 *
 * json-rules-engine stays the evaluator: a miss runs every rule through it, and a
 * hit returns what it answered for exactly the same read values. Rules are pure
 * functions of those values (operators are synchronous and total), so a hit cannot
 * differ from a fresh run. What a request reads is usually coarse (country, level,
 * purchase count, days since last seen), so few distinct keys cover most requests;
 * the cache is bounded (least recently used goes first) so rules that read
 * high-cardinality facts cost a little memory and no correctness.
 */
/** Lookups of every decision cache in the process, for /metrics. */
export const decisionCacheTotals = { hits: 0, misses: 0 };

/** A remembered decision with the key it was stored under (see DecisionCache#get). */
interface Entry {
  key: string;
  decided: Promise<Uint8Array>;
  /** The cache's append count when this entry last went to the back of the order. */
  appendedAt: number;
}

export class DecisionCache {
  private readonly entries = new Map<string, Entry>();
  private readonly factReads: readonly Extract<FactRead, { kind: 'fact' }>[];
  private readonly segmentReads: readonly string[];
  /**
   * The segment part of the key per frozen `segments` list: serving hands out one shared
   * frozen list per segment decision, so each list is looked through once, not once per
   * request (a set reads up to one segment per rule: 40-80 in the benchmark rules).
   */
  private readonly segmentParts = new WeakMap<readonly unknown[], string>();
  /** Entries put at the back of the Map's order so far: new ones and refreshed ones. */
  private appends = 0;
  hits = 0;
  misses = 0;

  constructor(
    reads: readonly FactRead[],
    private readonly resolve: (value: unknown, path: string) => unknown,
    readonly capacity: number,
  ) {
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
    const frozen = Object.isFrozen(segments);
    const known = frozen ? this.segmentParts.get(segments) : undefined;
    if (known !== undefined) return known;
    const listed = new Set<unknown>(segments);
    let part = '';
    for (const id of this.segmentReads) part += listed.has(id) ? '1' : '0';
    if (frozen) this.segmentParts.set(segments, part);
    return part;
  }

  get(key: string): Promise<Uint8Array> | undefined {
    const found = this.entries.get(key);
    if (found) {
      // Map keeps insertion order, the oldest goes first. A hit moves its entry to the back
      // only once it is in the older half, which a used entry cannot leave before its next
      // hit: evictions stay least-recently-used, and a hot entry moves once per
      // capacity/2 appends. Moving it on every hit (a delete and a set) made the Map
      // rebuild its table every few thousand requests, and each table lived long enough
      // to be promoted: ~60 bytes of old-generation garbage per request and rule set.
      // Re-inserted with the stored key, not this request's equal one, for the same reason.
      if (this.appends - found.appendedAt >= this.capacity / 2) {
        this.entries.delete(found.key);
        this.append(found);
      }
      this.hits += 1;
      decisionCacheTotals.hits += 1;
    }
    return found?.decided;
  }

  set(key: string, decided: Promise<Uint8Array>): void {
    this.misses += 1;
    decisionCacheTotals.misses += 1;
    this.append({ key, decided, appendedAt: 0 });
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    // A failed evaluation is not a decision: the next request evaluates again.
    decided.catch(() => {
      if (this.entries.get(key)?.decided === decided) this.entries.delete(key);
    });
  }

  private append(entry: Entry): void {
    entry.appendedAt = this.appends++;
    this.entries.set(entry.key, entry);
  }

  get size(): number {
    return this.entries.size;
  }
}
