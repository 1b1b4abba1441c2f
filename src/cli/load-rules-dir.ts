import { createAppLoader } from '../apis.js';
import { listApps, readAppFiles } from '../rules/app-loader.js';
import type { AppRules } from '../rules/app-rules.js';
import type { Problem } from '../rules/problems.js';

export interface LoadedRulesDir {
  apps: Map<string, AppRules>;
  problems: Problem[];
}

/** Loads every app below `dir` with the server's own loader; `only` restricts to one app. */
export async function loadRulesDir(dir: string, only?: string): Promise<LoadedRulesDir> {
  const loader = createAppLoader();
  const apps = new Map<string, AppRules>();
  const problems: Problem[] = [];
  const ids = only ? [only] : await listApps(dir);
  for (const appId of ids) {
    const result = loader.load(await readAppFiles(dir, appId));
    if (result.ok) apps.set(appId, result.rules);
    else problems.push(...result.problems);
  }
  return { apps, problems };
}
