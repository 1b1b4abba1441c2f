import { stat } from 'node:fs/promises';
import path from 'node:path';
import { createAppLoader } from '../apis.js';
import { type AppFiles, listApps, RULE_FILE, readAppFiles } from '../rules/app-loader.js';
import type { AppRules } from '../rules/app-rules.js';
import { dirEntries } from '../rules/dir-entries.js';
import { displayPath } from '../rules/display-path.js';
import type { Problem } from '../rules/problems.js';
import { CliError } from './cli-io.js';

export interface LoadedRulesDir {
  /** The rules directory the apps are in (the parent when an app folder was given). */
  rulesDir: string;
  apps: Map<string, AppRules>;
  problems: Problem[];
}

/** Whether `dir` is one app's folder (rule files right in it) rather than a rules directory. */
async function isAppFolder(dir: string): Promise<boolean> {
  // Links followed, as the service does: a ConfigMap's rule files are links into ..data/.
  const entries = await dirEntries(dir);
  return entries.some((e) => (e.kind === 'file' || e.kind === 'broken') && RULE_FILE.test(e.name));
}

/**
 * Where the apps are and which to load: `dir` is a rules directory (one folder per app)
 * or a single app's folder (`rules/demo`). Refuses, as a one-line CliError, a missing
 * directory or an app that is not there.
 */
export async function resolveRulesDir(
  dir: string,
  only?: string,
): Promise<{ rulesDir: string; appIds: string[] }> {
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory()) throw new CliError(`no rules directory '${dir}'`);
  if (await isAppFolder(dir)) {
    const appId = path.basename(path.resolve(dir));
    if (only && only !== appId) throw new CliError(`'${dir}' is the folder of app '${appId}', not '${only}'`);
    return { rulesDir: path.dirname(path.resolve(dir)), appIds: [appId] };
  }
  const all = await listApps(dir);
  if (all.length === 0) {
    // Checking nothing must not pass: CI would go green on rules it never read.
    throw new CliError(
      `no app in '${dir}': neither a rules directory (one folder per app) nor an app folder (*.yaml rule files)`,
    );
  }
  if (only === undefined) return { rulesDir: dir, appIds: all };
  if (!all.includes(only)) {
    throw new CliError(`no app '${only}' in ${dir} (apps: ${all.join(', ') || 'none'})`);
  }
  return { rulesDir: dir, appIds: [only] };
}

/** Loads every app below `dir` (or the app folder `dir`) with the server's own loader; `only` restricts to one app. */
export async function loadRulesDir(dir: string, only?: string): Promise<LoadedRulesDir> {
  const { rulesDir, appIds } = await resolveRulesDir(dir, only);
  const loader = createAppLoader();
  const apps = new Map<string, AppRules>();
  const problems: Problem[] = [];
  for (const appId of appIds) {
    const at = displayPath(path.join(rulesDir, appId));
    let files: AppFiles;
    try {
      files = await readAppFiles(rulesDir, appId);
    } catch (err) {
      problems.push({ file: at, line: 1, col: 1, message: (err as Error).message });
      continue;
    }
    if (files.files.length === 0) {
      problems.push({ file: at, line: 1, col: 1, message: 'no rule file (*.yaml, *.yml) in the app folder' });
      continue;
    }
    const result = loader.load(files);
    if (result.ok) apps.set(appId, result.rules);
    else problems.push(...result.problems);
  }
  return { rulesDir, apps, problems };
}
