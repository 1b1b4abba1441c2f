import { spawnSync } from 'node:child_process';
import fsp, { chmod, writeFile } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import path from 'node:path';
import type { ExecutionContext } from 'ava';

async function canCreateFileIn(dir: string): Promise<boolean> {
  try {
    await writeFile(path.join(dir, '.probe'), '');
    spawnSync('rm', ['-f', path.join(dir, '.probe')]);
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes `dir` refuse new files, as a disk gone read-only does; files in it stay readable
 * (and writable: a document's rewrite, which needs a temp file, fails; an append does not).
 * root ignores permissions, so as root the directory is made immutable (chattr +i).
 * Returns the undo.
 */
export async function failDisk(t: ExecutionContext, dir: string): Promise<() => Promise<void>> {
  if (process.getuid?.() === 0) {
    const r = spawnSync('chattr', ['+i', dir], { encoding: 'utf8' });
    if (r.status !== 0) t.fail(`chattr +i ${dir} failed: ${r.stderr || r.error?.message}`);
    const undo = async () => void spawnSync('chattr', ['-i', dir]);
    t.teardown(undo);
    t.false(await canCreateFileIn(dir), 'the directory should refuse new files');
    return undo;
  }
  await chmod(dir, 0o555);
  const undo = () => chmod(dir, 0o755);
  t.teardown(undo);
  t.false(await canCreateFileIn(dir), 'the directory should refuse new files');
  return undo;
}

/** The functions of node:fs/promises a test replaces (the module object is writable; its type is not). */
type FsPromises = typeof fsp;
type Writable = { -readonly [K in keyof FsPromises]: FsPromises[K] };

/**
 * Replaces one function of node:fs/promises in this test worker until the test ends: the
 * store imports them by name, which syncBuiltinESMExports rebinds. `make` gets the original
 * to fall back on. For a disk that fails one way (a full device, a rename refused) where
 * none can be made for real; a test file that does it runs alone in its worker.
 */
export function replaceFsFunction<K extends keyof FsPromises>(
  t: ExecutionContext,
  name: K,
  make: (original: FsPromises[K]) => FsPromises[K],
): void {
  const writable = fsp as Writable;
  const original = writable[name];
  writable[name] = make(original);
  syncBuiltinESMExports();
  t.teardown(() => {
    writable[name] = original;
    syncBuiltinESMExports();
  });
}
