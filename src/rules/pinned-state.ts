import { type AppFiles, filesHash } from './app-loader.js';
import { diffTexts, type FileTexts } from './rules-history.js';

/** A rolled-back app: what serves, and plainly how the files on disk differ from it. */
export interface PinnedState {
  hash: string;
  /** Hash of the files on disk when they differ from what serves (valid or not); null when equal. */
  pendingHash: string | null;
  /** Files on disk that differ from the serving snapshot, with how many lines changed. */
  filesOnDisk: { file: string; status: 'added' | 'removed' | 'modified'; changedLines: number }[];
  summary: string;
}

export const textsOf = (files: AppFiles): FileTexts => new Map(files.files.map((f) => [f.path, f.text]));

/** The pinned state of a rollback to `hash` (built from `serving`) against the files on disk (null: unreadable). */
export function pinnedState(hash: string, serving: FileTexts, disk: AppFiles | null): PinnedState {
  const diskHash = disk ? filesHash(disk) : null;
  const differs = diffTexts(serving, disk ? textsOf(disk) : new Map()).diff.map((d) => ({
    file: d.file,
    status: d.status,
    changedLines: d.hunks.reduce((n, h) => n + h.lines.length, 0),
  }));
  const pendingHash = diskHash !== hash && (differs.length > 0 || !disk) ? diskHash : null;
  const summary =
    differs.length === 0
      ? `serving the rolled-back snapshot ${hash}; the files on disk are the same`
      : `serving the rolled-back snapshot ${hash}; ${differs.length} file(s) on disk differ from it ` +
        `(${differs.map((d) => `${d.file} ${d.status}`).join(', ')}) and go live only on POST /admin/rules/reload`;
  return { hash, pendingHash, filesOnDisk: differs, summary };
}
