import type { CollectionFile } from '../../store/document/collection-file.js';
import { type DocumentCollections, documentCollection } from '../../store/document/portable-documents.js';
import type { Ban } from '../domain/bans.js';
import type { OfferProgress } from '../domain/progress.js';
import { banRecord, catalogRecord, progressRecord, transactionRecord } from './offerwall-portable-records.js';
import type { StoredCatalog, TransactionRecord } from './offerwall-store.js';

/** What the offerwall document store lends its export/import: its files and index updates. */
export interface OfferwallDocuments {
  catalogs: CollectionFile<{ catalogs: StoredCatalog[] }>;
  progress: CollectionFile<{ progress: OfferProgress[]; transactions: TransactionRecord[] }>;
  bans: CollectionFile<{ bans: Ban[] }>;
  indexProgress(p: OfferProgress): void;
  indexTransaction(t: TransactionRecord): void;
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
      records: () => d.progress.data.progress,
      canonical: progressRecord,
      add: (p) => {
        d.progress.data.progress.push(p);
        d.indexProgress(p);
        return d.progress;
      },
    }),
    'offerwall.transactions': documentCollection({
      records: () => d.progress.data.transactions,
      canonical: transactionRecord,
      add: (t) => {
        d.progress.data.transactions.push(t);
        d.indexTransaction(t);
        return d.progress;
      },
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
