import path from 'node:path';

/** A file path as people want to see it: relative below the working directory, absolute elsewhere. */
export function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : path.resolve(file);
}
