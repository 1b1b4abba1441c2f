import { type AppFiles, filesHash } from './app-loader.js';
import type { AppRules } from './app-rules.js';
import { diffTexts, type FileTexts } from './rules-history.js';
import type { RulesError } from './rules-status.js';

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

/**
 * The refusal to keep after a rollback: the one of the files still on disk (`disk`, null when
 * unreadable), now beside the rolled-back rules. A rollback cleared it, and the Apps page then
 * called files the fixtures gate had refused "valid" while they waited for a reload (console
 * probe); the watcher re-checks only files it has not seen, so nothing said it again. None when
 * the files on disk are not the refused ones (changed since: the watcher checks those) or are
 * the very snapshot rolled back to.
 */
export function refusalStillOnDisk(
  error: RulesError | null,
  disk: AppFiles | null,
  serving: AppRules,
): RulesError | null {
  const diskHash = disk ? filesHash(disk) : null;
  if (!error || error.hash !== diskHash || diskHash === serving.hash) return null;
  return { ...error, serving: { version: serving.version, hash: serving.hash } };
}
