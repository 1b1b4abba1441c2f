import type { Pool } from 'pg';
import { JOURNEYS_COLLECTIONS, type PortableRecord, type PortableStore } from '../../store/portable.js';
import { inTransaction } from '../../store/postgres/migrate.js';
import {
  type Column,
  insertRows,
  keysetPages,
  mapped,
  type Row,
  snakeCase,
} from '../../store/postgres/portable-postgres.js';
import { journeyEventRecord, journeyOfferRecord, journeyUserRecord } from './journeys-portable-records.js';
import {
  EVENT_COLUMNS,
  OFFER_COLUMNS,
  toEvent,
  toOffer,
  toUser,
  USER_COLUMNS,
} from './journeys-postgres-rows.js';

const partition = (r: Row) => ({ appId: String(r.app_id), environment: r.environment as 'live' | 'test' });

const PARTITION: Column[] = [
  ['app_id', 'text'],
  ['environment', 'text'],
];
const USERS: Column[] = [
  ...PARTITION,
  ['external_id', 'text'],
  ['id', 'text'],
  ['display_name', 'text'],
  ['email', 'text'],
  ['phone', 'text'],
  ['country', 'text'],
  ['device', 'text'],
  ['source', 'text'],
  ['tags', 'jsonb'],
  ['metadata', 'jsonb'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
];
const EVENTS: Column[] = [
  ...PARTITION,
  ['id', 'text'],
  ['external_id', 'text'],
  ['client_event_id', 'text'],
  ['category', 'text'],
  ['event_type', 'text'],
  ['points', 'integer'],
  ['occurred_at', 'timestamptz'],
  ['received_at', 'timestamptz'],
  ['metadata', 'jsonb'],
];
const OFFERS: Column[] = [
  ...PARTITION,
  ['id', 'text'],
  ['external_id', 'text'],
  ['offer_type', 'text'],
  ['game_type', 'text'],
  ['title', 'text'],
  ['description', 'text'],
  ['points_value', 'integer'],
  ['status', 'text'],
  ['created_at', 'timestamptz'],
  ['expires_at', 'timestamptz'],
  ['claimed_at', 'timestamptz'],
  ['metadata', 'jsonb'],
];

/** The journeys tables as portable collections (see PortableStore). */
export class JourneysPostgresPortable implements PortableStore {
  readonly collections = JOURNEYS_COLLECTIONS;

  constructor(private readonly pool: Pool) {}

  exportRecords(collection: string): AsyncIterable<PortableRecord[]> {
    const pages = (select: string, table: string, key: string[]) =>
      keysetPages(this.pool, `app_id, environment, ${select}`, table, key);
    switch (collection) {
      case 'journeys.users':
        return mapped(pages(USER_COLUMNS, 'journeys_users', ['app_id', 'environment', 'external_id']), (r) =>
          journeyUserRecord({ ...partition(r), ...toUser(r) }),
        );
      // Events and offers by seq, their arrival order, which the import keeps.
      case 'journeys.events':
        return mapped(pages(`seq, ${EVENT_COLUMNS}`, 'journeys_events', ['seq']), (r) =>
          journeyEventRecord({ ...partition(r), ...toEvent(r) }),
        );
      case 'journeys.offers':
        return mapped(pages(`seq, ${OFFER_COLUMNS}`, 'journeys_offers', ['seq']), (r) =>
          journeyOfferRecord({ ...partition(r), ...toOffer(r) }),
        );
    }
    throw new Error(`no collection ${collection} in the journeys store`);
  }

  async importRecords(collection: string, records: readonly PortableRecord[]): Promise<void> {
    const rows = (columns: readonly Column[]) => records.map((r) => snakeCase(r, columns));
    await inTransaction(this.pool, async (c) => {
      switch (collection) {
        case 'journeys.users':
          return insertRows(c, 'journeys_users', USERS, rows(USERS));
        case 'journeys.events':
          return insertRows(c, 'journeys_events', EVENTS, rows(EVENTS));
        case 'journeys.offers':
          return insertRows(c, 'journeys_offers', OFFERS, rows(OFFERS));
      }
      throw new Error(`no collection ${collection} in the journeys store`);
    });
  }
}
