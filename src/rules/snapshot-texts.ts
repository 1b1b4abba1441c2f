import path from 'node:path';
import { filesHash, RULE_FILE } from './app-loader.js';
import { displayPath } from './display-path.js';
import { textsOf } from './pinned-state.js';
import type { FileTexts } from './rules-history.js';
import type { SnapshotFile } from './rules-status.js';

const isSnapshotFile = (f: unknown): f is SnapshotFile =>
  typeof (f as SnapshotFile | null)?.name === 'string' &&
  typeof (f as SnapshotFile | null)?.text === 'string';

/**
 * A snapshot's files from elsewhere (the shared admin log, the store's kept snapshots) as if
 * read from this instance's rules dir; undefined unless they are rule files by name alone and
 * hash to `hash`. Any shape is checked: a store an operator edited gave `"x"`, a 500 on every
 * instance that followed the rollback (focused probe).
 */
export function snapshotTexts(
  rulesDir: string,
  appId: string,
  hash: string,
  files: unknown,
): FileTexts | undefined {
  if (!Array.isArray(files) || !files.every(isSnapshotFile)) return undefined;
  if (files.some((f) => path.basename(f.name) !== f.name || !RULE_FILE.test(f.name))) return undefined;
  const here = (name: string) => displayPath(path.join(rulesDir, appId, name));
  const app = { appId, files: files.map((f) => ({ path: here(f.name), text: f.text })) };
  return filesHash(app) === hash ? textsOf(app) : undefined;
}
