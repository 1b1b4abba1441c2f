import { type CollectionSummary, type PortableRecord, type PortableStore, summarize } from './portable.js';
import type { Store } from './store.js';

/** Records per import call: one transaction (PostgreSQL) or one commit (document store). */
const IMPORT_BATCH = 5000;

function* collectionsOf(store: Store): Iterable<[PortableStore, string]> {
  for (const sub of Object.values(store.portable)) {
    for (const collection of sub.collections) yield [sub, collection];
  }
}

/** The sub-store `name` of `store`: both sides of a copy are opened with the same APIs. */
function subStore(store: Store, name: string): PortableStore {
  const sub = store.portable[name];
  if (!sub) throw new Error(`the target store has no ${name} part`);
  return sub;
}

/** The collections of `store` that hold any record: none when the store is empty. */
export async function nonEmptyCollections(store: Store): Promise<string[]> {
  const found: string[] = [];
  for (const [sub, collection] of collectionsOf(store)) {
    for await (const batch of sub.exportRecords(collection)) {
      if (batch.length > 0) {
        found.push(collection);
        break;
      }
    }
  }
  return found;
}

/**
 * Copies every record of every collection from `from` into `to` (meant to be empty),
 * collections in import order, records in their stored order. Returns the count copied
 * per collection; `progress` hears each collection as it completes.
 */
export async function copyStore(
  from: Store,
  to: Store,
  progress: (collection: string, count: number) => void = () => undefined,
): Promise<Map<string, number>> {
  const copied = new Map<string, number>();
  for (const [name, source] of Object.entries(from.portable)) {
    const target = subStore(to, name);
    for (const collection of source.collections) {
      let pending: PortableRecord[] = [];
      let count = 0;
      for await (const batch of source.exportRecords(collection)) {
        pending.push(...batch);
        count += batch.length;
        if (pending.length >= IMPORT_BATCH) {
          await target.importRecords(collection, pending);
          pending = [];
        }
      }
      if (pending.length > 0) await target.importRecords(collection, pending);
      copied.set(collection, count);
      progress(collection, count);
    }
  }
  await to.flush();
  return copied;
}

export interface CollectionComparison {
  collection: string;
  source: CollectionSummary;
  target: CollectionSummary;
  equal: boolean;
}

/** Count and checksum of every collection on both sides. */
export async function compareStores(from: Store, to: Store): Promise<CollectionComparison[]> {
  const rows: CollectionComparison[] = [];
  for (const [name, sub] of Object.entries(from.portable)) {
    for (const collection of sub.collections) {
      const source = await summarize(sub, collection);
      const target = await summarize(subStore(to, name), collection);
      const equal = source.count === target.count && source.checksum === target.checksum;
      rows.push({ collection, source, target, equal });
    }
  }
  return rows;
}

/** The comparison as a fixed-width table, one line per collection, checksums shortened. */
export function comparisonTable(rows: readonly CollectionComparison[]): string[] {
  const head = ['collection', 'source', 'target', 'source sha256', 'target sha256', 'result'];
  const body = rows.map((r) => [
    r.collection,
    String(r.source.count),
    String(r.target.count),
    r.source.checksum.slice(0, 16),
    r.target.checksum.slice(0, 16),
    r.equal ? 'ok' : 'MISMATCH',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 1 || i === 2 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(head), ...body.map(line)];
}
