import test from 'ava';
import { formatReports, PATHS, runCrashSuite, totalLost } from './crash-suite.js';

// The short form of `npm run crash`: two SIGKILLs under load per store, lowdb and
// PostgreSQL side by side. Most of its time is the service starting (three times per store).
test('kill -9 under write load loses no acknowledged write (2 runs per store)', async (t) => {
  t.timeout(180_000);
  const options = { runs: 2, workers: 8, killAfterMs: [300, 900] as [number, number] };
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
  t.is(totalLost(reports), 0);
});
