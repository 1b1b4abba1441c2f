import type { OfferdConfig } from '../config/config-types.js';
import { DocumentStore } from './document/document-store.js';
import type { Store } from './store.js';

/** Picks the adapter named by the config; only main.ts, the CLI and tests call this. */
export async function openStore(
  config: Pick<OfferdConfig, 'store' | 'dataDir' | 'databaseUrl'>,
): Promise<Store> {
  switch (config.store) {
    case 'memory':
      return DocumentStore.open(null);
    case 'lowdb':
      return DocumentStore.open(config.dataDir);
    case 'postgres':
      throw new Error('OFFERD_STORE=postgres is not available in this build yet');
  }
}
