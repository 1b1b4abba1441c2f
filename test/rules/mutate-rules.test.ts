import test from 'ava';
import { formatReport } from '../../scripts/rules-mutation/mutation-report.js';
import { runRulesMutation } from '../../scripts/rules-mutation/mutation-run.js';

// A short run of `npm run mutate-rules` (docs/rules.md: "A broken change"): a real offerd process,
// watcher on, random bad and valid edits of its rule files under traffic on all three APIs.
test('random bad and valid rule edits under traffic: no failed request, always ready, nothing broken live, every valid edit live', async (t) => {
  t.timeout(120_000);
  const report = await runRulesMutation({ edits: 20, seed: 4242 });
  t.log(formatReport(report));
  t.true(report.ok, formatReport(report));
  t.true(report.byTrigger.watch > 0 && report.byTrigger.reload > 0, 'both triggers were exercised');
});
