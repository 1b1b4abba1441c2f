import path from 'node:path';
import type { AppFiles } from './app-loader.js';
import type { AppRules } from './app-rules.js';
import { displayPath } from './display-path.js';

/** A rule kind an app cannot serve without, and who needs it (said in the error when it is missing). */
export interface RequiredKind {
  kind: string;
  /** e.g. "the banner API needs it (key demo-banner)". */
  neededBy: string;
}

/**
 * Why a loaded snapshot must not go live although every file in it is valid: the app has
 * no rule files at all, or a kind an API of the app needs is gone (a deleted or renamed
 * file). Each message names the file that had the kind in the snapshot serving now (the
 * app's directory when none did) and says what keeps serving.
 */
export function missingKindProblems(
  files: AppFiles,
  rules: AppRules,
  required: readonly RequiredKind[],
  serving: AppRules | undefined,
  rulesDir: string,
): string[] {
  const dir = displayPath(path.join(rulesDir, files.appId));
  const keeps = serving
    ? `the last good version ${serving.version} (hash ${serving.hash}) keeps serving`
    : 'the app has no valid rules until it is added';
  if (files.files.length === 0) return [`${dir}: no rule files (*.yaml) in the app's directory; ${keeps}`];
  const present = new Set(rules.files.map((f) => f.kind));
  return required
    .filter((r) => !present.has(r.kind))
    .map((r) => {
      const had = serving?.files.filter((f) => f.kind === r.kind).map((f) => f.path) ?? [];
      const where = had.length > 0 ? had.join(', ') : dir;
      const gone = had.length > 0 ? ' (deleted or renamed?)' : '';
      return `${where}: kind ${r.kind} missing${gone}: ${r.neededBy}; ${keeps}`;
    });
}
