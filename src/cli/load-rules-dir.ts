import { stat } from 'node:fs/promises';
import path from 'node:path';
import { createAppLoader } from '../apis.js';
import { type AppFiles, listApps, RULE_FILE, readAppFiles } from '../rules/app-loader.js';
import type { AppRules } from '../rules/app-rules.js';
import { dirEntries } from '../rules/dir-entries.js';
import { displayPath } from '../rules/display-path.js';
import type { Problem } from '../rules/problems.js';
import { cliConfig } from './app-config-for.js';
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

/**
 * The rules directory's app folders against the config's apps, as the service sees them: an
 * active app without its folder is a problem (the service refuses it: "the app's rules
 * directory is missing"; validate printed only the other apps' `ok`), a folder of an app the
 * config does not declare (a typo, `gmae2`) a warning: nothing loads it. Nothing to compare
 * for one app's folder, `--app`, or without a config file.
 */
export async function appFolderFindings(
  dir: string,
  only?: string,
): Promise<{ problems: Problem[]; warnings: Problem[] }> {
  const none = { problems: [], warnings: [] };
  if (only !== undefined || (await isAppFolder(dir))) return none;
  const config = cliConfig();
  if (!config) return none;
  const folders = new Set(await listApps(dir));
  const declared = new Set(config.apps.map((a) => a.id));
  const at = (appId: string) => displayPath(path.join(dir, appId));
  return {
    problems: config.apps
      .filter((a) => a.status === 'active' && !folders.has(a.id))
      .map((a) => ({
        file: at(a.id),
        line: 1,
        col: 1,
        message: `the app's rules directory is missing (app '${a.id}' is active in ${config.path}: the service has no rules for it, its APIs answer 503 RULES_NOT_READY)`,
      })),
    warnings: [...folders]
      .filter((id) => !declared.has(id))
      .map((id) => ({
        file: at(id),
        line: 1,
        col: 1,
        message: `no app '${id}' in ${config.path} (a typo? apps: ${[...declared].join(', ') || 'none'}): the service loads no rules from this folder`,
      })),
  };
}
