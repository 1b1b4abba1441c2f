import test from 'ava';
import {
  formatReports,
  PATHS,
  runCrashSuite,
  silentPaths,
  totalDuplicated,
  totalLost,
} from './crash-suite.js';

// The short form of `npm run crash` (20 runs per store): one SIGKILL under load per store,
// lowdb and PostgreSQL side by side. Its time is mostly the service starting, twice per
// store: ~8 s a start on this 2-core host when it is busy (load 12), so two runs per store
// took 55 s and one takes about half.
test('kill -9 under write load loses no acknowledged write and a retry stores nothing twice (1 run per store)', async (t) => {
  t.timeout(180_000);
  const options = { runs: 1, workers: 8, killAfterMs: [300, 900] as [number, number], log: t.log };
  const reports = (
    await Promise.all([
      runCrashSuite({ ...options, stores: ['lowdb'] }),
      runCrashSuite({ ...options, stores: ['postgres'] }),
    ])
  ).flat();
  t.log(`\n${formatReports(reports)}`);
  for (const r of reports) {
    const acknowledged = PATHS.reduce((s, p) => s + r.paths[p].acknowledged, 0);
    t.true(acknowledged > 0, `${r.store}: no write was acknowledged before the kills`);
  }
  t.deepEqual(silentPaths(reports), [], 'every path tried often enough had writes acknowledged');
  t.is(totalLost(reports), 0);
  t.is(totalDuplicated(reports), 0, 'a retried unanswered batch is stored once');
});
