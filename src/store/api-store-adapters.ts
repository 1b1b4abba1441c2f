import type pg from 'pg';
import type { DocumentApiStores } from './document/document-store.js';
import type { PortableStore } from './portable.js';
import type { Migration } from './postgres/migrate.js';
import type { ApiStores } from './store.js';

/** A file (or set of files) whose acknowledged writes `flush` makes durable. */
export interface Flushable {
  flush(): Promise<void>;
}

/** Writes an adapter keeps behind (e.g. counters summed per instance): flushed and closed with the store. */
export interface Background {
  flush(): Promise<void>;
  close(): Promise<void>;
}

/**
 * One API's store adapters, handed to the store layer by the wiring (src/apis.ts): the
 * embedded (lowdb / memory) part and the PostgreSQL part with its migrations.
 */
export interface ApiStoreAdapters<K extends keyof ApiStores & keyof DocumentApiStores> {
  /** The sub-port's name on the store (`store.banner`) and its collections' prefix. */
  readonly name: K;
  /** `dir` null: in memory only (unit tests, fixture cases). */
  openDocument(
    dir: string | null,
  ): Promise<{ store: DocumentApiStores[K]; portable: PortableStore; files: Flushable[] }>;
  /** This API's schema steps; `version`s are unique across all APIs. */
  readonly migrations: readonly Migration[];
  openPostgres(
    pool: pg.Pool,
    hooks: { onError(err: Error): void },
  ): { store: ApiStores[K]; portable: PortableStore; background?: Background[] };
}

/** The list form the stores take: each entry typed by its own name. */
export type AnyApiStoreAdapters = {
  [K in keyof ApiStores & keyof DocumentApiStores]: ApiStoreAdapters<K>;
}[keyof ApiStores & keyof DocumentApiStores];
