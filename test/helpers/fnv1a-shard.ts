/**
 * Where the code before the shard key (src/store/document/shard-key.ts) put a record: FNV-1a
 * of its key, unkeyed, modulo the shard count. For tests that build a data dir as an earlier
 * version wrote it, or find keys that all collided there.
 */
export function fnv1aShard(key: string, count: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % count;
}
