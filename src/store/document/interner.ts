/**
 * Shares equal strings between the records of a collection: one copy in memory instead
 * of one per record. JSON.parse gives every record its own copy of a long value, and
 * journeys offers repeat theirs (a type's title and description, the creation and expiry
 * times of one generation run): with 240,000 offers that was ~75 MB of the heap.
 * At most `limit` distinct strings are kept; past that, strings are used as they are.
 */
export class Interner {
  private readonly table = new Map<string, string>();
  private readonly objects = new Map<string, object>();

  constructor(private readonly limit = 100_000) {}

  intern(value: string): string {
    const known = this.table.get(value);
    if (known !== undefined) return known;
    if (this.table.size < this.limit) this.table.set(value, value);
    return value;
  }

  /**
   * One frozen copy of each small flat object (at most 4 keys, primitive values), such as
   * an event's `{won: true}` or an offer's `{}`: records are never changed after they are
   * stored, and at 540,000 journeys records one object each was ~20 MB. Other values are
   * returned as they are.
   */
  object<T>(value: T): T {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    const entries = Object.entries(value);
    if (entries.length > 4 || entries.some(([, v]) => v !== null && typeof v === 'object')) return value;
    const key = JSON.stringify(entries);
    const known = this.objects.get(key);
    if (known !== undefined) return known as T;
    if (this.objects.size < this.limit) this.objects.set(key, Object.freeze(value));
    return value;
  }

  /** Replaces each of `keys` of `record` that holds a string by its shared copy. */
  fields<T extends object>(record: T, keys: readonly (keyof T)[]): void {
    const r = record as Record<keyof T, unknown>;
    for (const k of keys) {
      const value = r[k];
      if (typeof value === 'string') r[k] = this.intern(value);
    }
  }
}

/**
 * `value`, or `other` when they are equal: one string object where the running store had
 * one (a record's times that were set from one instant come back from JSON.parse as copies).
 */
export function same<T extends string | null>(value: T, other: string | null | undefined): T {
  return value !== null && value === other ? (other as T) : value;
}
