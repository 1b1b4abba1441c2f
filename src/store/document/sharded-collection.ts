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

/**
 * A collection split over several files (`<name>-00.json`...), so a small write
 * rewrites one shard instead of everything. Where a record lives is found through the
 * caller's index, not recomputed, so raising the shard count moves nothing: new
 * records simply spread over the new shards. Lowering it would leave the highest
 * shards unread: never do that without merging them first.
 */
export class ShardedCollection<T> {
  private constructor(readonly shards: readonly CollectionFile<T>[]) {}

  static async open<T>(
    dir: string | null,
    name: string,
    count: number,
    defaults: () => T,
  ): Promise<ShardedCollection<T>> {
    const names = Array.from({ length: count }, (_, i) => `${name}-${String(i).padStart(2, '0')}`);
    return new ShardedCollection(
      await Promise.all(names.map((n) => CollectionFile.open(dir, n, defaults()))),
    );
  }

  /** The shard a new record with `key` goes to. */
  shardFor(key: string): CollectionFile<T> {
    return this.shards[shardIndex(key, this.shards.length)] as CollectionFile<T>;
  }

  /** Resolves once every shard in `touched` has its current content on disk. */
  async commit(touched: Iterable<CollectionFile<T>>): Promise<void> {
    await Promise.all([...new Set(touched)].map((f) => f.commit()));
  }

  async flush(): Promise<void> {
    await Promise.all(this.shards.map((f) => f.flush()));
  }
}
