import { lintExperiments } from '../../banner/rules/experiment-lints.js';
import { formatProblem } from '../../rules/problems.js';
import type { CliIo } from '../cli-io.js';
import { loadRulesDir } from '../load-rules-dir.js';

/** `offerd validate [dir]`: every problem as file:line:col; exit 1 if there is any. */
export async function validateCommand(args: string[], io: CliIo): Promise<number> {
  const dir = args[0] ?? 'rules';
  const { apps, problems } = await loadRulesDir(dir);
  for (const p of problems) io.err(formatProblem(p));
  if (problems.length > 0) {
    io.err(`${problems.length} problem${problems.length === 1 ? '' : 's'} in ${dir}`);
    return 1;
  }
  for (const rules of apps.values()) {
    io.out(`${rules.appId}: ok (version ${rules.version}, hash ${rules.hash})`);
    // Warnings, not errors: the rules are valid and serve; the author decides.
    const lints = rules.banner ? lintExperiments(rules.banner, rules.segments) : [];
    for (const lint of lints) io.err(`${rules.appId}: warning: ${lint.message}`);
  }
  return 0;
}
