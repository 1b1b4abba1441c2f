import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { postBanner } from '../helpers/banner-client.js';
import { copyOfShippedRules } from '../helpers/rules-fixture.js';
import { startTestService } from '../helpers/start-test-service.js';

/**
 * The lapsed-player trap over HTTP, with a fact the request changes at once: `first-visit`
 * is eligible only while the user has had no banner request (like `lapsed`, which the
 * visit ends); `everyone` would take any user. Issue 19: users drifted from the first
 * into the second on their next request and were counted in both.
 */
const EXPERIMENTS = `  experiments:
    - id: first-visit
      status: running
      eligibility:
        fact: user.renders
        operator: equal
        value: 0
      variations:
        - { id: 0, weight: 50 }
        - { id: 1, weight: 50 }
    - id: everyone
      status: running
      variations:
        - { id: 0, weight: 50 }
        - { id: 1, weight: 50 }
`;

test('a user whose own visit ends their eligibility stays in their experiment and variation, and enters no other', async (t) => {
  const dir = await copyOfShippedRules(t);
  const file = path.join(dir, 'demo', 'banner.yaml');
  await writeFile(file, (await readFile(file, 'utf8')).replace('  experiments:\n', EXPERIMENTS));
  const s = await startTestService(t, { env: { OFFERD_RULES_DIR: dir } });
  for (let i = 0; i < 20; i++) {
    const userId = `newcomer-${i}`;
    const first = (await postBanner(s, { userId, offerId: '1' })).body.kibotuMetadata;
    t.is(first.experimentId, 'first-visit');
    for (let visit = 0; visit < 3; visit++) {
      const later = (await postBanner(s, { userId, offerId: '1' })).body.kibotuMetadata;
      t.deepEqual(
        [later.experimentId, later.variationId],
        [first.experimentId, first.variationId],
        `${userId} visit ${visit + 2}`,
      );
    }
  }
  const list = await s.fetch('/admin/apps/demo/experiments', {
    headers: { Authorization: 'Bearer demo-admin-token' },
  });
  const { experiments } = (await list.json()) as { experiments: { experimentId: string; users: number }[] };
  t.like(
    experiments.find((e) => e.experimentId === 'first-visit'),
    { users: 20 },
  );
  t.like(
    experiments.find((e) => e.experimentId === 'everyone'),
    { users: 0 },
    'nobody counted in both',
  );
});
