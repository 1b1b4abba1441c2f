import path from 'node:path';
import { parseArgs } from 'node:util';
import { createAppLoader, createCaseRunners } from '../../apis.js';
import { loadFixtures } from '../../fixtures/fixture-file.js';
import { unknownResultKeys } from '../../fixtures/result-keys.js';
import { requiredKinds } from '../../required-kinds.js';
import type { AppRules } from '../../rules/app-rules.js';
import { displayPath } from '../../rules/display-path.js';
import { formatProblem, type Problem } from '../../rules/problems.js';
import { appConfigFor } from '../app-config-for.js';
import type { CliIo } from '../cli-io.js';
import { appFolderFindings, loadRulesDir } from '../load-rules-dir.js';

/**
 * The kinds the app's APIs need (its config: keys, walls) that the rules lack: the service
 * refuses such a snapshot, so validate must not call it ok.
 */
function missingKinds(rulesDir: string, appId: string, rules: AppRules): string[] {
  const present = new Set(rules.files.map((f) => f.kind));
  const dir = displayPath(path.join(rulesDir, appId));
  return requiredKinds(appConfigFor(appId))
    .filter((r) => !present.has(r.kind))
    .map((r) => `${dir}: kind ${r.kind} missing: ${r.neededBy}`);
}

/**
 * `offerd validate [DIR] [--app ID]`: every problem of the rule files and of the fixture
 * files (tests/) as file:line:col (an `expect` key that names no result of its API too), and a kind the app's APIs need that is missing; exit 1
 * if there is any. DIR may be one app's folder.
 */
export async function validateCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { app: { type: 'string' } },
  });
  const dir = positionals[0] ?? 'rules';
  const { rulesDir, apps, problems } = await loadRulesDir(dir, values.app);
  const folders = await appFolderFindings(dir, values.app);
  for (const w of folders.warnings) io.err(`${w.file}:${w.line}:${w.col} warning: ${w.message}`);
  const all: Problem[] = [...problems, ...folders.problems];
  const runners = createCaseRunners();
  for (const appId of apps.keys()) {
    const fixtures = await loadFixtures(rulesDir, appId);
    // What `offerd test` would fail without running a case: an expectation of no result.
    all.push(...fixtures.problems, ...unknownResultKeys(fixtures.cases, runners));
  }
  for (const p of all) io.err(formatProblem(p));
  const missing = [...apps].flatMap(([appId, rules]) => missingKinds(rulesDir, appId, rules));
  for (const line of missing) io.err(line);
  const count = all.length + missing.length;
  if (count > 0) {
    io.err(`${count} problem${count === 1 ? '' : 's'} in ${dir}`);
    return 1;
  }
  const loader = createAppLoader();
  for (const rules of apps.values()) {
    io.out(`${rules.appId}: ok (version ${rules.version}, hash ${rules.hash})`);
    // Warnings, not errors: the rules are valid and serve; the author decides. The same
    // ones GET /admin/rules shows for the serving rules.
    for (const lint of loader.warnings(rules)) {
      io.err(`${lint.file}:${lint.line}:${lint.col} warning: ${lint.message}`);
    }
  }
  return 0;
}
