import { ConfigError } from './config/load-config.js';
import { CorruptStoreError } from './store/document/corrupt-store.js';
import { DataDirLockedError, DataDirUnusableError } from './store/document/data-dir-lock.js';
import { DatabaseUnusableError } from './store/postgres/database-unusable.js';
import { MigrationFailedError } from './store/postgres/migrate.js';

/** A start that failed for a reason the message says how to fix: printed without a stack. */
export class StartError extends Error {}

/**
 * What `offerd` prints and exits with when the start fails for a reason the operator fixes:
 * the message says what to do, a stack adds nothing. Null: a bug, printed with its stack.
 */
export function startFailure(err: unknown): { exitCode: number; text: string } | null {
  if (err instanceof ConfigError)
    return { exitCode: 2, text: `offerd: invalid configuration\n${err.message}\n` };
  if (err instanceof DataDirUnusableError && err.full)
    return {
      exitCode: 1,
      text: `offerd: failed to start: OFFERD_DATA_DIR: ${err.message}: free space on its device, then start offerd again (nothing acknowledged is lost)\n`,
    };
  if (err instanceof DataDirUnusableError)
    return { exitCode: 2, text: `offerd: invalid configuration\nOFFERD_DATA_DIR: ${err.message}\n` };
  if (err instanceof DatabaseUnusableError && err.unavailable)
    return {
      exitCode: 1,
      text: `offerd: failed to start: ${err.naming('DATABASE_URL')}; the database may be down or restarting: start offerd again once it answers\n`,
    };
  if (err instanceof DatabaseUnusableError)
    return { exitCode: 2, text: `offerd: invalid configuration\n${err.naming('DATABASE_URL')}\n` };
  if (
    err instanceof DataDirLockedError ||
    err instanceof StartError ||
    err instanceof CorruptStoreError ||
    err instanceof MigrationFailedError
  )
    return { exitCode: 1, text: `offerd: failed to start: ${err.message}\n` };
  return null;
}
