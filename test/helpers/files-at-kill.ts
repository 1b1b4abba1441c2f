import { cpSync, rmSync } from 'node:fs';
import path from 'node:path';
import { LOCK_FILE } from '../../src/store/document/data-dir-lock.js';

/**
 * Copies the data dir `dir` into `into` (an empty dir) as it is at this instant: the copy
 * is synchronous, so nothing of this process runs meanwhile, and a write in libuv's threads
 * is renamed over its file whole or not at all. What a kill -9 here would leave, less the
 * lock of the process that died (which names this live one); returns `into`.
 */
export function filesAtKill(dir: string, into: string): string {
  cpSync(dir, into, { recursive: true });
  rmSync(path.join(into, LOCK_FILE), { force: true });
  return into;
}
