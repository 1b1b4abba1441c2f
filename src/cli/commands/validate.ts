import { parseArgs } from 'node:util';
import { createAppLoader } from '../../apis.js';
import { loadFixtures } from '../../fixtures/fixture-file.js';
import { formatProblem, type Problem } from '../../rules/problems.js';
import type { CliIo } from '../cli-io.js';
import { loadRulesDir } from '../load-rules-dir.js';

/**
 * `offerd validate [DIR] [--app ID]`: every problem of the rule files and of the fixture
 * files (tests/) as file:line:col; exit 1 if there is any. DIR may be one app's folder.
 */
export async function validateCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { app: { type: 'string' } },
  });
  const dir = positionals[0] ?? 'rules';
  const { rulesDir, apps, problems } = await loadRulesDir(dir, values.app);
  const all: Problem[] = [...problems];
  for (const appId of apps.keys()) all.push(...(await loadFixtures(rulesDir, appId)).problems);
  for (const p of all) io.err(formatProblem(p));
  if (all.length > 0) {
    io.err(`${all.length} problem${all.length === 1 ? '' : 's'} in ${dir}`);
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
