import path from 'node:path';

/** A file path as people want to see it: relative below the working directory, absolute elsewhere. */
export function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : path.resolve(file);
}

/** Why an app's rule files could not be read, for a person: a missing directory says so plainly. */
export function unreadableAppDir(rulesDir: string, appId: string, err: NodeJS.ErrnoException): string {
  const at = path.join(rulesDir, appId);
  const missing = err.code === 'ENOENT' && err.path === at;
  return missing
    ? `${displayPath(at)}: the app's rules directory is missing`
    : `${displayPath(at)}: ${err.message}`;
}
