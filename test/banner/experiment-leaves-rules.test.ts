/** A bucket version that leaves the live rules ends there, said so (test/helpers/experiment-leaves.ts). */
import test from 'ava';
import { removedAndRestored, rollbackOfBump } from '../helpers/experiment-leaves.js';
import { copyOfShippedRules } from '../helpers/rules-fixture.js';
import { startTestService } from '../helpers/start-test-service.js';

test('a rollback of a bump ends the version it leaves, and says so', async (t) => {
  const rulesDir = await copyOfShippedRules(t);
  const s = await startTestService(t, { env: { OFFERD_RULES_DIR: rulesDir } });
  await rollbackOfBump({ t, s, rulesDir });
});

test('an experiment removed from the rules ends there, and stays ended once restored, said both times', async (t) => {
  const rulesDir = await copyOfShippedRules(t);
  const s = await startTestService(t, { env: { OFFERD_RULES_DIR: rulesDir } });
  await removedAndRestored({ t, s, rulesDir });
});
