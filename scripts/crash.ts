/**
 * npm run crash [-- --runs N] [--store lowdb|postgres|both] [--workers N]
 *
 * SIGKILLs the service under write load on every path, restarts it on the same data and
 * checks that every acknowledged write survived (see test/crash/crash-suite.ts). Prints
 * tried / acknowledged / lost / stored twice per store and path; exits 1 if anything was
 * lost, or a retried unanswered /track batch was stored twice.
 */
import { parseArgs } from 'node:util';
import {
  formatReports,
  runCrashSuite,
  type StoreName,
  silentPaths,
  totalDuplicated,
  totalLost,
} from '../test/crash/crash-suite.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    store: { type: 'string', default: 'both' },
    workers: { type: 'string', default: '12' },
  },
});
const runs = Number(values.runs);
const workers = Number(values.workers);
const stores: StoreName[] =
  values.store === 'both'
    ? ['lowdb', 'postgres']
    : values.store === 'lowdb' || values.store === 'postgres'
      ? [values.store]
      : [];
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(workers) || workers < 1 || stores.length === 0) {
  process.stderr.write(
    'usage: npm run crash -- [--runs N ≥ 1] [--store lowdb|postgres|both] [--workers N ≥ 1]\n',
  );
  process.exit(2);
}

const started = Date.now();
const reports = await runCrashSuite({
  runs,
  stores,
  workers,
  log: (line) => process.stdout.write(`${line}\n`),
});
process.stdout.write(`\n${formatReports(reports)}\n`);
const lost = totalLost(reports);
const twice = totalDuplicated(reports);
const silent = silentPaths(reports);
if (silent.length > 0)
  process.stdout.write(`\nno write acknowledged, so nothing tested: ${silent.join(', ')}\n`);
const ok = lost === 0 && twice === 0 && silent.length === 0;
process.stdout.write(
  `\n${ok ? 'PASS' : 'FAIL'}: ${lost} acknowledged writes lost, ${twice} stored twice, ${Math.round((Date.now() - started) / 1000)} s\n`,
);
process.exit(ok ? 0 : 1);
