import type { Pool } from 'pg';
import { OFFERWALL_COLLECTIONS, type PortableRecord, type PortableStore } from '../../store/portable.js';
import { inTransaction } from '../../store/postgres/migrate.js';
import {
  type Column,
  insertRows,
  keysetPages,
  mapped,
  snakeCase,
} from '../../store/postgres/portable-postgres.js';
import { banRecord, catalogRecord, progressRecord, transactionRecord } from './offerwall-portable-records.js';
import { toBan, toProgress, toTransaction } from './offerwall-postgres-store.js';
import type { StoredCatalog } from './offerwall-store.js';

const CATALOG_COLUMNS: Column[] = [
  ['app_id', 'text'],
  ['wall_id', 'integer'],
  ['synced_at', 'timestamptz'],
  ['offers', 'jsonb'],
  ['retired', 'jsonb'],
];
const PROGRESS_COLUMNS: Column[] = [
  ['app_id', 'text'],
  ['uid', 'text'],
  ['offer_id', 'bigint'],
  ['wall_id', 'integer'],
  ['category', 'text'],
  ['offer_type', 'integer'],
  ['status', 'text'],
  ['sid3', 'text'],
  ['clicks', 'integer'],
  ['first_click_at', 'timestamptz'],
  ['last_click_at', 'timestamptz'],
  ['completed_events', 'jsonb'],
  ['completed_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
];
const TRANSACTION_COLUMNS: Column[] = [
  ['app_id', 'text'],
  ['transaction_id', 'text'],
  ['uid', 'text'],
  ['offer_id', 'bigint'],
  ['event_id', 'text'],
  ['at', 'timestamptz'],
];
const BAN_COLUMNS: Column[] = [
  ['app_id', 'text'],
  ['id', 'text'],
  ['type', 'text'],
  ['value', 'text'],
  ['wall_id', 'integer'],
  ['reason', 'text'],
  ['created_at', 'timestamptz'],
];

/** The offerwall tables as portable collections (see PortableStore). */
export class OfferwallPostgresPortable implements PortableStore {
  readonly collections = OFFERWALL_COLLECTIONS;

  constructor(private readonly pool: Pool) {}

  exportRecords(collection: string): AsyncIterable<PortableRecord[]> {
    const pages = (table: string, key: string[]) => keysetPages(this.pool, '*', table, key);
    switch (collection) {
      case 'offerwall.catalogs':
        return mapped(pages('offerwall_catalogs', ['app_id', 'wall_id']), (r) =>
          catalogRecord({
            appId: String(r.app_id),
            wallId: Number(r.wall_id),
            syncedAt: (r.synced_at as Date).toISOString(),
            offers: r.offers as StoredCatalog['offers'],
            retired: (r.retired ?? []) as NonNullable<StoredCatalog['retired']>,
          }),
        );
      case 'offerwall.progress':
        return mapped(pages('offerwall_progress', ['app_id', 'uid', 'offer_id']), (r) =>
          progressRecord(toProgress(r)),
        );
      case 'offerwall.transactions':
        return mapped(pages('offerwall_transactions', ['app_id', 'transaction_id']), (r) =>
          transactionRecord(toTransaction(r)),
        );
      case 'offerwall.bans':
        // By seq: listBans answers oldest first, and the copy keeps that order.
        return mapped(pages('offerwall_bans', ['seq']), (r) => banRecord(toBan(r)));
    }
    throw new Error(`no collection ${collection} in the offerwall store`);
  }

  async importRecords(collection: string, records: readonly PortableRecord[]): Promise<void> {
    const rows = (columns: readonly Column[]) => records.map((r) => snakeCase(r, columns));
    await inTransaction(this.pool, async (c) => {
      switch (collection) {
        case 'offerwall.catalogs':
          return insertRows(c, 'offerwall_catalogs', CATALOG_COLUMNS, rows(CATALOG_COLUMNS));
        case 'offerwall.progress':
          return insertRows(c, 'offerwall_progress', PROGRESS_COLUMNS, rows(PROGRESS_COLUMNS));
        case 'offerwall.transactions':
          return insertRows(c, 'offerwall_transactions', TRANSACTION_COLUMNS, rows(TRANSACTION_COLUMNS));
        case 'offerwall.bans':
          return insertRows(c, 'offerwall_bans', BAN_COLUMNS, rows(BAN_COLUMNS));
      }
      throw new Error(`no collection ${collection} in the offerwall store`);
    });
  }
}
