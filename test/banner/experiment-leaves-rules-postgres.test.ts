/** On PostgreSQL too, a bucket version that leaves the live rules ends there (test/helpers/experiment-leaves.ts). */
import test from 'ava';
import { removedAndRestored, rollbackOfBump } from '../helpers/experiment-leaves.js';
import { usePostgres } from '../helpers/postgres-server.js';
import { copyOfShippedRules } from '../helpers/rules-fixture.js';
import { startTestService } from '../helpers/start-test-service.js';

const server = usePostgres(test);

test('PostgreSQL: a rollback of a bump ends the version it leaves', async (t) => {
  const rulesDir = await copyOfShippedRules(t);
  const DATABASE_URL = await server().freshDatabase('leavebump');
  const s = await startTestService(t, {
    env: { OFFERD_STORE: 'postgres', DATABASE_URL, OFFERD_RULES_DIR: rulesDir },
  });
  await rollbackOfBump({ t, s, rulesDir });
});

test('PostgreSQL: an experiment removed from the rules ends there', async (t) => {
  const rulesDir = await copyOfShippedRules(t);
  const DATABASE_URL = await server().freshDatabase('leaveremoved');
  const s = await startTestService(t, {
    env: { OFFERD_STORE: 'postgres', DATABASE_URL, OFFERD_RULES_DIR: rulesDir },
  });
  await removedAndRestored({ t, s, rulesDir });
});
