import { CollectionFile } from './collection-file.js';
import { ShardKey } from './shard-key.js';

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
 * rewrites one shard instead of everything. A record is in the shard its key hashes to
 * under the data dir's secret (ShardKey: a client cannot aim its records at one shard),
 * so shardFor() finds it. Every owner calls rehome() at open, before it serves, for the
 * records that are not: those of a store written with fewer shards, or before the key
 * (FNV-1a placed them), or under a key since lost. Lowering the count would leave the
 * highest shards unread: never do that without merging them first.
 */
export class ShardedCollection<T> {
  private constructor(
    readonly shards: readonly CollectionFile<T>[],
    private readonly key: ShardKey,
  ) {}

  static async open<T>(
    dir: string | null,
    name: string,
    count: number,
    defaults: () => T,
  ): Promise<ShardedCollection<T>> {
    // The key first: it is on disk before any shard is written under it.
    const key = await ShardKey.of(dir);
    // In memory, one shard: shards keep a file's rewrite small, and with no file they are
    // pure cost. The fixtures, explain and the impact replay open an in-memory store per
    // decision: 512 shards per collection made that ~25 ms each (a 2,000-decision impact
    // replay took 3.5 min, an account-manager probe).
    const length = dir === null ? 1 : count;
    const names = Array.from({ length }, (_, i) => `${name}-${String(i).padStart(2, '0')}`);
    // One file at a time: the text of a file is garbage once it is parsed, so opening holds
    // one file's text rather than all of them at once (see DocumentStore.open).
    const shards: CollectionFile<T>[] = [];
    for (const n of names) shards.push(await CollectionFile.open(dir, n, defaults()));
    return new ShardedCollection(shards, key);
  }

  /** The index of the shard a new record with `key` goes to (where rehome() puts it). */
  indexOf(key: string): number {
    return this.key.index(key, this.shards.length);
  }

  /** The shard a new record with `key` goes to. */
  shardFor(key: string): CollectionFile<T> {
    return this.shards[this.indexOf(key)] as CollectionFile<T>;
  }

  /** Every record of every shard (`list` picks them from a shard's data), for an index to be built from. */
  *records<R>(list: (data: T) => readonly R[]): Iterable<R> {
    for (const file of this.shards) yield* list(file.data);
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
    // Each key hashed once per call (a journeys user's key is its offers' too): an HMAC costs
    // ~5 µs here (see ShardKey). Freed on return; it holds the keys of stored records only.
    const homes = new Map<string, CollectionFile<T>>();
    const homeOf = (key: string): CollectionFile<T> => {
      const home = homes.get(key) ?? this.shardFor(key);
      homes.set(key, home);
      return home;
    };
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
      for (const record of list.incoming ?? []) join(record, homeOf(list.key(record)));
      for (const file of this.shards) {
        for (const record of list.of(file.data)) {
          const home = homeOf(list.key(record));
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
