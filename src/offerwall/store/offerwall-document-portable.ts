import type { CollectionFile } from '../../store/document/collection-file.js';
import { type DocumentCollections, documentCollection } from '../../store/document/portable-documents.js';
import type { Ban } from '../domain/bans.js';
import type { OfferProgress } from '../domain/progress.js';
import { banRecord, catalogRecord, progressRecord, transactionRecord } from './offerwall-portable-records.js';
import type { StoredCatalog, TransactionRecord } from './offerwall-store.js';

interface Committable {
  commit(): Promise<void>;
}

/** What the offerwall document store lends its export/import: its records and where they go. */
export interface OfferwallDocuments {
  catalogs: CollectionFile<{ catalogs: StoredCatalog[] }>;
  bans: CollectionFile<{ bans: Ban[] }>;
  progress(): Iterable<OfferProgress>;
  transactions(): Iterable<TransactionRecord>;
  /** Stores and indexes one record in its shard; returns the shard to commit. */
  addProgress(p: OfferProgress): Committable;
  addTransaction(t: TransactionRecord): Committable;
  indexBans(): void;
}

/** The offerwall document store's collections as `offerd store copy` sees them (see PortableStore). */
export function offerwallCollections(d: OfferwallDocuments): DocumentCollections {
  return {
    'offerwall.catalogs': documentCollection({
      records: () => d.catalogs.data.catalogs,
      canonical: catalogRecord,
      add: (c) => {
        d.catalogs.data.catalogs.push(c);
        return d.catalogs;
      },
    }),
    'offerwall.progress': documentCollection({
      records: d.progress,
      canonical: progressRecord,
      add: d.addProgress,
    }),
    'offerwall.transactions': documentCollection({
      records: d.transactions,
      canonical: transactionRecord,
      add: d.addTransaction,
    }),
    'offerwall.bans': documentCollection({
      records: () => d.bans.data.bans,
      canonical: banRecord,
      add: (b) => {
        d.bans.data.bans.push(b);
        return d.bans;
      },
      after: () => d.indexBans(),
    }),
  };
}
