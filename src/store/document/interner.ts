/**
 * Shares equal strings between the records of a collection: one copy in memory instead
 * of one per record. JSON.parse gives every record its own copy of a long value, and
 * journeys offers repeat theirs (a type's title and description, the creation and expiry
 * times of one generation run): with 240,000 offers that was ~75 MB of the heap.
 * At most `limit` distinct strings are kept; past that, strings are used as they are.
 */
export class Interner {
  private readonly table = new Map<string, string>();

  constructor(private readonly limit = 100_000) {}

  intern(value: string): string {
    const known = this.table.get(value);
    if (known !== undefined) return known;
    if (this.table.size < this.limit) this.table.set(value, value);
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
