import type { OfferdConfig } from '../config/config-types.js';
import type { AnyApiStoreAdapters } from './api-store-adapters.js';
import { DocumentStore } from './document/document-store.js';
import { PostgresStore } from './postgres/postgres-store.js';
import type { Store } from './store.js';

/** Picks the adapter named by the config, with every API's part (`apis`, from src/apis.ts). */
export async function openStore(
  config: Pick<OfferdConfig, 'store' | 'dataDir' | 'databaseUrl'> & Partial<Pick<OfferdConfig, 'postgres'>>,
  apis: readonly AnyApiStoreAdapters[],
  options: { onIdleError?: (err: Error) => void; onError?: (err: Error) => void } = {},
): Promise<Store> {
  switch (config.store) {
    case 'memory':
      return DocumentStore.open(null, apis);
    case 'lowdb':
      return DocumentStore.open(config.dataDir, apis);
    case 'postgres':
      // loadConfig refuses postgres without DATABASE_URL.
      return PostgresStore.open(config.databaseUrl ?? '', apis, {
        ...options,
        ...(config.postgres && {
          pool: {
            max: config.postgres.poolMax,
            statementTimeoutMs: config.postgres.statementTimeoutMs,
            connectionTimeoutMs: config.postgres.connectionTimeoutMs,
          },
        }),
      });
  }
}
