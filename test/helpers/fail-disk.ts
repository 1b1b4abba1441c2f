import { spawnSync } from 'node:child_process';
import { chmod, writeFile } from 'node:fs/promises';
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
