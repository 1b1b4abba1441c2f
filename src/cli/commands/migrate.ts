import { parseArgs } from 'node:util';
import { openPostgresStore } from '../../apis.js';
import { ConfigError, loadConfig } from '../../config/load-config.js';
import { DatabaseUnusableError } from '../../store/postgres/database-unusable.js';
import type { CliIo } from '../cli-io.js';

/** `offerd migrate`: applies pending PostgreSQL migrations (DATABASE_URL), as start-up does. */
export async function migrateCommand(args: string[], io: CliIo): Promise<number> {
  parseArgs({ args, options: {} }); // takes nothing: an option or argument is refused, not ignored
  const url = loadConfig({ ...process.env, OFFERD_STORE: 'postgres' }).databaseUrl;
  const store = await openPostgresStore(url ?? '').catch((err: unknown) => {
    if (!(err instanceof DatabaseUnusableError)) throw err;
    // Down or restarting (connection refused, a timeout) is exit 1, to retry, as the service's
    // start says; it was exit 2, a configuration error, and a deploy job would not retry it.
    if (err.unavailable) {
      throw new Error(
        `${err.naming('DATABASE_URL')}; the database may be down or restarting: run offerd migrate again once it answers`,
      );
    }
    throw new ConfigError(err.naming('DATABASE_URL'));
  });
  try {
    const { applied, current, database } = store.migrations;
    for (const m of applied) io.out(`applied ${m.version} ${m.name}`);
    // Not a failure: a rollback of a deploy runs the older offerd on the newer schema, which only added.
    if (database > current)
      io.out(
        `schema at version ${database}, newer than this offerd's ${current} (a downgrade): nothing applied; this offerd runs on it, since migrations only add`,
      );
    else io.out(`schema at version ${current}${applied.length === 0 ? ' (nothing to do)' : ''}`);
    return 0;
  } finally {
    await store.close();
  }
}
