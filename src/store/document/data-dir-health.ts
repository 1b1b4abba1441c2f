import { constants } from 'node:fs';
import { access, statfs } from 'node:fs/promises';

/**
 * Below this much free space the data dir counts as full: every write replaces a whole
 * shard file through a temp file beside it (durable-json-file.ts), so a disk with a few
 * KB left refuses nearly every write while still taking a one-line log append.
 */
export const LOW_SPACE_BYTES = 1024 * 1024;

/**
 * The errno codes of a data dir that takes no more writes: full, over quota, mounted
 * read-only, or its permissions (EACCES) or an immutable flag (EPERM) changed under offerd.
 * The store writes nowhere else, so none of them is a fault of the request.
 */
const DISK_REFUSES = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM']);

/** Whether `err` says the data dir refused a write (full, over quota, read-only, not writable), not that offerd misbehaved. */
export function isDiskRefusal(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && DISK_REFUSES.has(code);
}

/**
 * Whether the embedded store can write its data dir, for /readyz: a full or read-only disk
 * fails every write with 503 (store-unavailable.ts), and readiness said "ready" throughout (an
 * operator probe). Two syscalls, no write: access(W_OK) reports EROFS for a read-only mount,
 * statfs the space left. The reason names no path: /readyz is public.
 */
export async function dataDirProblem(dir: string): Promise<string | null> {
  try {
    await access(dir, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown';
    return code === 'EROFS'
      ? 'the data dir is on a read-only file system (EROFS)'
      : `the data dir cannot be written (${code})`;
  }
  const fs = await statfs(dir);
  // Root may use the blocks a file system reserves for it (ext4: 5 %); others may not.
  const blocks = process.getuid?.() === 0 ? fs.bfree : fs.bavail;
  const free = blocks * fs.bsize;
  if (free < LOW_SPACE_BYTES) return `the data dir's disk is full (${Math.floor(free / 1024)} KB left)`;
  return null;
}
