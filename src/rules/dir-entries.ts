import { type Dirent, lstatSync, readlinkSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';

/**
 * Entries of the rules directory as they are used, symbolic links followed: a Kubernetes
 * ConfigMap mounts each file as a link into `..data/` (itself a link to a `..2026_…`
 * directory swapped atomically on an update), and an app folder may be a link too.
 * Looking at the link instead of its target (`Dirent.isFile()`) skipped every such file,
 * so a deployment loaded nothing and `offerd validate` checked nothing.
 */
export type Entry =
  | { name: string; kind: 'file' | 'dir' | 'other' }
  /** A link to nothing (or to neither a file nor a folder): `problem` says so, for its path. */
  | { name: string; kind: 'broken'; problem: string };

/** Where a link points, for a message. */
function targetOf(full: string): string {
  try {
    return readlinkSync(full);
  } catch {
    return '?';
  }
}

function entryOf(dir: string, e: Dirent): Entry {
  if (e.isFile()) return { name: e.name, kind: 'file' };
  if (e.isDirectory()) return { name: e.name, kind: 'dir' };
  if (!e.isSymbolicLink()) return { name: e.name, kind: 'other' };
  const full = path.join(dir, e.name);
  try {
    const target = statSync(full);
    if (target.isFile()) return { name: e.name, kind: 'file' };
    if (target.isDirectory()) return { name: e.name, kind: 'dir' };
    return {
      name: e.name,
      kind: 'broken',
      problem: `a symbolic link to '${targetOf(full)}', which is neither a file nor a directory`,
    };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'which does not exist' : `which cannot be read (${code})`;
    return { name: e.name, kind: 'broken', problem: `a symbolic link to '${targetOf(full)}', ${why}` };
  }
}

/** The entries of `dir`, links resolved to what they point at. Hidden names (`.x`, `..data`) are left out. */
export async function dirEntries(dir: string): Promise<Entry[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries.filter((e) => !e.name.startsWith('.')).map((e) => entryOf(dir, e));
}

/**
 * Why the app folder `dir` cannot be listed when it is a symbolic link to nothing (a bare
 * ENOENT reads as "no such app"); null when it is not such a link.
 */
export function brokenAppFolder(dir: string): string | null {
  try {
    if (!lstatSync(dir).isSymbolicLink()) return null;
    statSync(dir);
    return null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return null;
    try {
      lstatSync(dir);
    } catch {
      return null;
    }
    return `the app folder is a symbolic link to '${targetOf(dir)}', which does not exist`;
  }
}
