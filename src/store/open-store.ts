import type { OfferdConfig } from '../config/config-types.js';
import { DocumentStore } from './document/document-store.js';
import { PostgresStore } from './postgres/postgres-store.js';
import type { Store } from './store.js';

/** Picks the adapter named by the config; only main.ts, the CLI and tests call this. */
export async function openStore(
  config: Pick<OfferdConfig, 'store' | 'dataDir' | 'databaseUrl'> & Partial<Pick<OfferdConfig, 'postgres'>>,
  options: { onIdleError?: (err: Error) => void; onError?: (err: Error) => void } = {},
): Promise<Store> {
  switch (config.store) {
    case 'memory':
      return DocumentStore.open(null);
    case 'lowdb':
      return DocumentStore.open(config.dataDir);
    case 'postgres':
      // loadConfig refuses postgres without DATABASE_URL.
      return PostgresStore.open(config.databaseUrl ?? '', {
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
