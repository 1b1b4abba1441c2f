import type { PortableRecord } from '../portable.js';
import { inBatches } from '../portable.js';

/** One collection of a document store as export/import sees it. */
export interface DocumentCollection<R> {
  /** The stored records, in stored order. */
  records(): Iterable<R>;
  /** The canonical shape of a stored record (each API's `<api>-portable-records.ts`). */
  canonical(record: R): R;
  /** Stores and indexes one imported record; returns the file that must be committed. */
  add(record: R): { commit(): Promise<void> };
  /** Runs once after an import batch (an index rebuilt as a whole). */
  after?(): void;
}

export type DocumentCollections = Record<string, DocumentCollection<PortableRecord>>;

/** Types one collection's spec; the map of collections holds them untyped. */
export function documentCollection<R extends PortableRecord>(
  spec: DocumentCollection<R>,
): DocumentCollection<PortableRecord> {
  return spec as unknown as DocumentCollection<PortableRecord>;
}

function collectionOf(collections: DocumentCollections, name: string): DocumentCollection<PortableRecord> {
  const c = collections[name];
  if (!c) throw new Error(`no collection ${name} here (${Object.keys(collections).join(', ')})`);
  return c;
}

export function exportDocuments(
  collections: DocumentCollections,
  name: string,
): AsyncIterable<PortableRecord[]> {
  const c = collectionOf(collections, name);
  // Canonical copies taken at once: later writes do not leak into an export under way.
  return inBatches([...c.records()].map((r) => c.canonical(r)));
}

/** Adds the records (deep copies) and commits every file they went to, once. */
export async function importDocuments(
  collections: DocumentCollections,
  name: string,
  records: readonly PortableRecord[],
): Promise<void> {
  const c = collectionOf(collections, name);
  const files = new Set<{ commit(): Promise<void> }>();
  for (const r of records) files.add(c.add(c.canonical(structuredClone(r))));
  c.after?.();
  await Promise.all([...files].map((f) => f.commit()));
}
