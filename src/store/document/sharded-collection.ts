import { CollectionFile } from './collection-file.js';

/** FNV-1a: a cheap, stable string hash for picking a shard (not for anything secret). */
function fnv1a(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The index of the shard a new record with `key` goes to among `count` (tests pick neighbours with it). */
export const shardIndex = (key: string, count: number): number => fnv1a(key) % count;

/** One list of records in a shard's document, for rehome(). */
export interface RehomedList<T, R> {
  of: (data: T) => R[];
  /** The key that picks a record's shard. */
  key: (record: R) => string;
  /** What identifies a record: two with one id are one record (default: its key). */
  id?: (record: R) => string;
  /** Records from outside the shards (an earlier version's single document) to place too. */
  incoming?: readonly R[];
}

/**
 * A collection split over several files (`<name>-00.json`...), so a small write
 * rewrites one shard instead of everything. A new record goes to the shard its key
 * hashes to, and that is where fileOf() looks for it; a record loaded from another shard
 * (a store written with fewer shards) is remembered as an exception when placed() reads it,
 * so raising the shard count moves nothing and the caller's index needs no file per
 * record. Lowering it would leave the highest shards unread: never do that without
 * merging them first.
 */
export class ShardedCollection<T> {
  /** Records loaded from a shard other than their key's, with that shard (see placed()). */
  readonly #elsewhere = new WeakMap<object, CollectionFile<T>>();

  private constructor(readonly shards: readonly CollectionFile<T>[]) {}

  static async open<T>(
    dir: string | null,
    name: string,
    count: number,
    defaults: () => T,
  ): Promise<ShardedCollection<T>> {
    const names = Array.from({ length: count }, (_, i) => `${name}-${String(i).padStart(2, '0')}`);
    // One file at a time: the text of a file is garbage once it is parsed, so opening holds
    // one file's text rather than all of them at once (see DocumentStore.open).
    const shards: CollectionFile<T>[] = [];
    for (const n of names) shards.push(await CollectionFile.open(dir, n, defaults()));
    return new ShardedCollection(shards);
  }

  /** The shard a new record with `key` goes to. */
  shardFor(key: string): CollectionFile<T> {
    return this.shards[shardIndex(key, this.shards.length)] as CollectionFile<T>;
  }

  /**
   * Every record of every shard (`list` picks them from a shard's data), for an index to be
   * built from; notes each one found outside the shard its key picks, for fileOf().
   */
  *placed<R extends object>(list: (data: T) => readonly R[], keyOf: (record: R) => string): Iterable<R> {
    for (const [i, file] of this.shards.entries()) {
      for (const record of list(file.data)) {
        if (shardIndex(keyOf(record), this.shards.length) !== i) this.#elsewhere.set(record, file);
        yield record;
      }
    }
  }

  /** The shard holding `record`, whose key is `key` (read by placed() or added through shardFor()). */
  fileOf(record: object, key: string): CollectionFile<T> {
    return this.#elsewhere.get(record) ?? this.shardFor(key);
  }

  /**
   * Puts every record of `lists` in the shard its key picks: those found in another shard
   * (a store written with another shard count) and a list's `incoming` ones; returns how
   * many moved or came in. In two steps, so a crash never loses a record between the place
   * it leaves and the shard it joins: the joining shards are written first, with the
   * records still where they were, then the shards they leave (the caller removes an
   * `incoming` source after this resolves). A crash in between leaves a record in both: the
   * next run finds its id already in the joined shard and only drops the stray copy.
   * Records keep their identity (an index built on them stays valid).
   */
  async rehome<R>(lists: readonly RehomedList<T, R>[]): Promise<number> {
    const joining = new Set<CollectionFile<T>>();
    const leaving = new Map<CollectionFile<T>, Set<R>>();
    let moved = 0;
    for (const list of lists) {
      const id = list.id ?? list.key;
      // Ids per shard of this list, built when a record is about to join the shard.
      const ids = new Map<CollectionFile<T>, Set<string>>();
      const idsOf = (file: CollectionFile<T>): Set<string> => {
        const found = ids.get(file) ?? new Set(list.of(file.data).map(id));
        ids.set(file, found);
        return found;
      };
      const join = (record: R, home: CollectionFile<T>): void => {
        moved += 1;
        if (idsOf(home).has(id(record))) return;
        list.of(home.data).push(record);
        idsOf(home).add(id(record));
        joining.add(home);
      };
      for (const record of list.incoming ?? []) join(record, this.shardFor(list.key(record)));
      for (const file of this.shards) {
        for (const record of list.of(file.data)) {
          const home = this.shardFor(list.key(record));
          if (home === file) continue;
          join(record, home);
          leaving.set(file, (leaving.get(file) ?? new Set<R>()).add(record));
        }
      }
    }
    await this.commit(joining);
    for (const [file, gone] of leaving) {
      for (const list of lists) {
        const records = list.of(file.data);
        let kept = 0;
        for (const r of records) if (!gone.has(r)) records[kept++] = r;
        records.length = kept;
      }
    }
    await this.commit(leaving.keys());
    return moved;
  }

  /** Resolves once every shard in `touched` has its current content on disk. */
  async commit(touched: Iterable<CollectionFile<T>>): Promise<void> {
    await Promise.all([...new Set(touched)].map((f) => f.commit()));
  }

  async flush(): Promise<void> {
    await Promise.all(this.shards.map((f) => f.flush()));
  }
}
