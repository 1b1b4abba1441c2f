/**
 * npm run mutate-rules [-- --edits N --seed S]: a real offerd process (watcher on) on a
 * copy of rules/, N random bad and valid edits of its rule files under continuous traffic
 * on all three APIs. Prints the figures; exits 1 if a request failed, the service was not
 * ready, a bad edit went live or a valid one did not. See docs/rules.md, "A broken change".
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { formatReport } from './rules-mutation/mutation-report.js';
import { runRulesMutation } from './rules-mutation/mutation-run.js';

const { values } = parseArgs({
  options: { edits: { type: 'string', default: '1000' }, seed: { type: 'string' } },
});
const edits = Number(values.edits);
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
if (!Number.isInteger(edits) || edits < 1 || !Number.isInteger(seed)) {
  process.stderr.write('usage: npm run mutate-rules -- [--edits N] [--seed S] (integers)\n');
  process.exit(2);
}
// The service is started from the repository root (config/, rules/, src/main.ts).
process.chdir(path.resolve(import.meta.dirname, '..'));
process.stdout.write(`mutate-rules: seed ${seed}, ${edits} edits\n`);
const report = await runRulesMutation({ edits, seed, log: (line) => process.stdout.write(`${line}\n`) });
process.stdout.write(`${formatReport(report)}\n`);
process.exit(report.ok ? 0 : 1);
