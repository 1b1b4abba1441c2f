import { parseArgs } from 'node:util';
import { openPostgresStore } from '../../apis.js';
import { loadConfig } from '../../config/load-config.js';
import type { CliIo } from '../cli-io.js';

/** `offerd migrate`: applies pending PostgreSQL migrations (DATABASE_URL), as start-up does. */
export async function migrateCommand(args: string[], io: CliIo): Promise<number> {
  parseArgs({ args, options: {} }); // takes nothing: an option or argument is refused, not ignored
  const url = loadConfig({ ...process.env, OFFERD_STORE: 'postgres' }).databaseUrl;
  const store = await openPostgresStore(url ?? '');
  try {
    const { applied, current } = store.migrations;
    for (const m of applied) io.out(`applied ${m.version} ${m.name}`);
    io.out(`schema at version ${current}${applied.length === 0 ? ' (nothing to do)' : ''}`);
    return 0;
  } finally {
    await store.close();
  }
}
