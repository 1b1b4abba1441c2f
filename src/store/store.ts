import type { StoreKind } from '../config/config-types.js';
import type { ActionLog } from './admin-action-log.js';
import type { LastGoodRules } from './last-good-rules.js';
import type { PortableStore } from './portable.js';

/**
 * Each API's narrow sub-port of the store, by name (e.g. `banner`). Empty here: each API
 * adds its port by declaration merging in its registration (`src/<api>/<api>-api.ts`),
 * so the store layer names no API while `store.banner` stays typed for the banner code.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging, one entry per API.
export interface ApiStores {}

/**
 * The store port: what offerd keeps between requests, shaped by the APIs. Each API owns
 * one narrow sub-port; an adapter (memory, lowdb, PostgreSQL) holds one implementation
 * of each, handed over by the wiring, checked by one contract suite per sub-port.
 */
export interface Store extends Readonly<ApiStores> {
  readonly kind: StoreKind;
  /** Every record of each sub-store, in and out, adapter-neutral (`offerd store copy`), by API. */
  readonly portable: Readonly<Record<string, PortableStore>>;
  /**
   * Admin actions that outlive the call (rollback and its pin, reload): shared by the
   * instances on PostgreSQL, kept in the data dir by the embedded store.
   */
  readonly adminActions: ActionLog;
  /** The rules each app last activated from its files: what a start whose files fail serves. */
  readonly lastGoodRules: LastGoodRules;
  /**
   * Null when the store can serve, else why not (/readyz). The embedded stores always can;
   * PostgreSQL asks the database (database-health.ts).
   */
  health(): Promise<string | null>;
  /** Waits until every acknowledged write is durable (graceful shutdown). */
  flush(): Promise<void>;
  close(): Promise<void>;
}
