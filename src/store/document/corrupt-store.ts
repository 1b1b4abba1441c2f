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

/** A JSON string. */
export const isText = (v: unknown): v is string => typeof v === 'string';

/** A JSON object: not null, not a list. */
export const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

const ACCESS =
  'permission denied: give the user offerd runs as read and write access to the data dir and its files';

/** Why the file system refused to read a file of the data dir, by errno code. */
const UNREADABLE: Record<string, string> = {
  EISDIR: `is a directory where offerd keeps a file: move it out of the data dir. If the file was there before it: ${RESTORE_ADVICE}`,
  EACCES: ACCESS,
  EPERM: ACCESS,
  ELOOP: 'is a loop of symbolic links: replace it with the file it should be',
  EIO: `cannot be read, an input/output error: check the disk. ${RESTORE_ADVICE}`,
};

/**
 * `err`, thrown reading `file` of the data dir, as a CorruptStoreError naming the file and
 * what to do when the file system refused it (a directory where the file should be, no
 * permission): the start stopped with a raw EISDIR stack (operator probe). Else as is.
 */
export function unreadableFile(file: string, err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const why = code ? UNREADABLE[code] : undefined;
  return why ? new CorruptStoreError(`${file}: ${why} (${code})`, { cause: err }) : err;
}
