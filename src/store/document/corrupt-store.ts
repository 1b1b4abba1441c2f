/**
 * A file of the data dir that cannot be read as the store wrote it: the store refuses to
 * start rather than run without (or overwrite) what it held. The message names the file,
 * where it is bad and what the operator can do; main.ts prints it without a stack, which
 * would add nothing.
 */
export class CorruptStoreError extends Error {
  override readonly name = 'CorruptStoreError';
}

/** What to do about a damaged file of the data dir, after the message says what is wrong. */
export const RESTORE_ADVICE =
  'Restore the data dir from its backup (the files and shard-key-siphash.json together, see docs/operations.md, "The store")';
