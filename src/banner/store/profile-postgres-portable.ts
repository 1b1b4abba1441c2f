import type { Pool } from 'pg';
import { type PortableRecord, type PortableStore, PROFILE_COLLECTIONS } from '../../store/portable.js';
import { inTransaction } from '../../store/postgres/migrate.js';
import {
  type Column,
  insertRows,
  keysetPages,
  mapped,
  type Row,
} from '../../store/postgres/portable-postgres.js';
import type { ProfileProperties } from '../domain/profile-ops.js';
import type {
  AliasPortableRecord,
  GrantPortableRecord,
  InsertIdPortableRecord,
  ProfilePortableRecord,
} from './profile-portable-records.js';
import type { ProfileKind } from './profile-store.js';

const iso = (v: unknown): string => (v as Date).toISOString();

interface Table {
  name: string;
  key: readonly string[];
  columns: readonly Column[];
  toRecord(r: Row): PortableRecord;
  toRow(r: PortableRecord): Row;
}

const TABLES: Record<(typeof PROFILE_COLLECTIONS)[number], Table> = {
  'profiles.profiles': {
    name: 'banner_profiles',
    key: ['app_id', 'kind', 'id'],
    columns: [
      ['app_id', 'text'],
      ['kind', 'text'],
      ['id', 'text'],
      ['properties', 'jsonb'],
    ],
    toRecord: (r): ProfilePortableRecord => ({
      appId: String(r.app_id),
      kind: r.kind as ProfileKind,
      id: String(r.id),
      properties: r.properties as ProfileProperties,
    }),
    toRow: (rec) => {
      const r = rec as unknown as ProfilePortableRecord;
      return { app_id: r.appId, kind: r.kind, id: r.id, properties: r.properties };
    },
  },
  'profiles.aliases': {
    name: 'banner_aliases',
    key: ['app_id', 'alias'],
    columns: [
      ['app_id', 'text'],
      ['alias', 'text'],
      ['distinct_id', 'text'],
    ],
    toRecord: (r): AliasPortableRecord => ({
      appId: String(r.app_id),
      alias: String(r.alias),
      distinctId: String(r.distinct_id),
    }),
    toRow: (rec) => {
      const r = rec as unknown as AliasPortableRecord;
      return { app_id: r.appId, alias: r.alias, distinct_id: r.distinctId };
    },
  },
  'profiles.insertIds': {
    name: 'banner_insert_ids',
    key: ['app_id', 'insert_id'],
    columns: [
      ['app_id', 'text'],
      ['insert_id', 'text'],
      ['seen_at', 'timestamptz'],
    ],
    toRecord: (r): InsertIdPortableRecord => ({
      appId: String(r.app_id),
      id: String(r.insert_id),
      seenAt: iso(r.seen_at),
    }),
    toRow: (rec) => {
      const r = rec as unknown as InsertIdPortableRecord;
      return { app_id: r.appId, insert_id: r.id, seen_at: r.seenAt };
    },
  },
  'profiles.grants': {
    name: 'banner_offer_grants',
    key: ['app_id', 'user_id', 'offer_id'],
    columns: [
      ['app_id', 'text'],
      ['user_id', 'text'],
      ['offer_id', 'text'],
      ['count', 'integer'],
      ['last_at', 'timestamptz'],
      ['predict_id', 'text'],
    ],
    toRecord: (r): GrantPortableRecord => ({
      appId: String(r.app_id),
      userId: String(r.user_id),
      offerId: String(r.offer_id),
      count: Number(r.count),
      lastAt: iso(r.last_at),
      predictId: typeof r.predict_id === 'string' ? r.predict_id : null,
    }),
    toRow: (rec) => {
      const r = rec as unknown as GrantPortableRecord;
      return {
        app_id: r.appId,
        user_id: r.userId,
        offer_id: r.offerId,
        count: r.count,
        last_at: r.lastAt,
        predict_id: r.predictId ?? null,
      };
    },
  },
};

function tableOf(collection: string): Table {
  const table = TABLES[collection as keyof typeof TABLES];
  if (!table) throw new Error(`unknown collection ${collection}`);
  return table;
}

/** The SDK profile tables as portable collections (`offerd store copy`, both directions). */
export class ProfilePostgresPortable implements PortableStore {
  readonly collections = PROFILE_COLLECTIONS;

  constructor(private readonly pool: Pool) {}

  exportRecords(collection: string): AsyncIterable<PortableRecord[]> {
    const table = tableOf(collection);
    return mapped(keysetPages(this.pool, '*', table.name, table.key), table.toRecord);
  }

  importRecords(collection: string, records: readonly PortableRecord[]): Promise<void> {
    const table = tableOf(collection);
    return inTransaction(this.pool, (c) =>
      insertRows(c, table.name, table.columns, records.map(table.toRow)),
    );
  }
}
