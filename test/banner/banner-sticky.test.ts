import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { postBanner } from '../helpers/banner-client.js';
import { copyOfShippedRules } from '../helpers/rules-fixture.js';
import { startTestService, type TestService } from '../helpers/start-test-service.js';
import { tempDir } from '../helpers/temp-dir.js';

const SPOTLIGHT_WEIGHTS =
  '        - { id: 0, name: control, weight: 20 }\n        - { id: 1, name: spotlight, weight: 80 }';

/** Rewrites champion-spotlight's weights in the copied rules (control, spotlight). */
async function setSpotlightWeights(rulesDir: string, control: number, spotlight: number): Promise<void> {
  const file = path.join(rulesDir, 'demo', 'banner.yaml');
  const text = await readFile(file, 'utf8');
  const current =
    /( {8}- \{ id: 0, name: control, weight: )\d+( \}\n {8}- \{ id: 1, name: spotlight, weight: )\d+/;
  if (!current.test(text)) throw new Error('champion-spotlight weights not found in banner.yaml');
  await writeFile(
    file,
    text.replace(current, `$1${control}$2${spotlight}`).replace(/^version: 1$/m, 'version: 2'),
  );
}

async function variationOf(s: TestService, userId: string): Promise<number> {
  const res = await postBanner(s, { userId, offerId: '1', activeChamp: 'ahri' });
  if (res.status !== 200 || res.body.kibotuMetadata.experimentId !== 'champion-spotlight') {
    throw new Error(`unexpected reply ${res.status} ${res.text}`);
  }
  return res.body.kibotuMetadata.variationId;
}

async function variationsOf(s: TestService, users: string[]): Promise<Map<string, number>> {
  return new Map(await Promise.all(users.map(async (u) => [u, await variationOf(s, u)] as const)));
}

const users = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

function count(variations: Iterable<number>, id: number): number {
  return [...variations].filter((v) => v === id).length;
}

test('the shipped weights are what this file rewrites', async (t) => {
  t.true((await readFile('rules/demo/banner.yaml', 'utf8')).includes(SPOTLIGHT_WEIGHTS));
});

test.serial(
  'assignments survive a restart, even when the weights changed while the service was down',
  async (t) => {
    const dataDir = await tempDir(t, 'offerd-data-');
    const rulesDir = await copyOfShippedRules(t);
    const env = { OFFERD_DATA_DIR: dataDir, OFFERD_RULES_DIR: rulesDir };
    const first = await startTestService(t, { env });
    const before = await variationsOf(first, users('restart', 40));
    t.true(count(before.values(), 0) > 0 && count(before.values(), 1) > 0, 'both variations are in use');
    await first.stop();

    // Everybody new would now get control: the assigned users must not care.
    await setSpotlightWeights(rulesDir, 100, 0);
    const second = await startTestService(t, { env });
    t.deepEqual(await variationsOf(second, [...before.keys()]), before);
    t.is(count((await variationsOf(second, users('after-restart', 20))).values(), 0), 20);
  },
);

test.serial(
  'changing the weights with a hot reload moves no assigned user; new users follow the new weights',
  async (t) => {
    const rulesDir = await copyOfShippedRules(t);
    const s = await startTestService(t, { env: { OFFERD_RULES_DIR: rulesDir } });
    const assigned = await variationsOf(s, users('early', 60));
    const versionBefore = (await postBanner(s, { userId: 'x', offerId: '1' })).headers.get('x-rules-version');

    await setSpotlightWeights(rulesDir, 0, 100);
    const [outcome] = await s.registry.reload('demo');
    t.is(outcome?.result, 'activated');
    const after = await postBanner(s, { userId: 'x', offerId: '1' });
    t.not(after.headers.get('x-rules-version'), versionBefore, 'the new rules serve');

    t.deepEqual(await variationsOf(s, [...assigned.keys()]), assigned, 'no assigned user moved');
    t.true(count(assigned.values(), 0) > 0, 'some users were in control before the change and stay there');
    const late = await variationsOf(s, users('late', 60));
    t.is(count(late.values(), 1), 60, 'every new user follows the new weights (all spotlight)');
  },
);

test('many parallel first requests of one new user store exactly one variation', async (t) => {
  const s = await startTestService(t);
  for (const userId of users('racer', 5)) {
    const replies = await Promise.all(
      Array.from({ length: 40 }, () => postBanner(s, { userId, offerId: '1', activeChamp: 'ahri' })),
    );
    t.true(replies.every((r) => r.status === 200));
    t.is(new Set(replies.map((r) => r.body.kibotuMetadata.variationId)).size, 1, userId);
  }
  const results = await s.fetch('/admin/apps/demo/experiments/champion-spotlight', {
    headers: { Authorization: 'Bearer demo-admin-token' },
  });
  const body = (await results.json()) as { variations: { users: number; exposures: number }[] };
  t.is(
    body.variations.reduce((sum, v) => sum + v.users, 0),
    5,
    'one assignment per user',
  );
  t.is(
    body.variations.reduce((sum, v) => sum + v.exposures, 0),
    200,
    'every render was counted',
  );
});

test.serial('a race between a reload and first requests still stores one variation per user', async (t) => {
  const rulesDir = await copyOfShippedRules(t);
  const s = await startTestService(t, { env: { OFFERD_RULES_DIR: rulesDir } });
  await setSpotlightWeights(rulesDir, 50, 50);
  const racers = users('reload-racer', 20);
  const pending = racers.flatMap((u) => Array.from({ length: 5 }, () => variationOf(s, u)));
  await s.registry.reload('demo');
  await setSpotlightWeights(rulesDir, 0, 100);
  const reload = s.registry.reload('demo');
  const seen = await Promise.all([...pending, ...racers.map((u) => variationOf(s, u))]);
  await reload;
  const byUser = new Map<string, Set<number>>();
  [...racers.flatMap((u) => Array(5).fill(u)), ...racers].forEach((u: string, i) => {
    byUser.set(u, (byUser.get(u) ?? new Set()).add(seen[i] as number));
  });
  t.true([...byUser.values()].every((v) => v.size === 1));
  t.deepEqual(await variationsOf(s, racers), new Map([...byUser].map(([u, v]) => [u, [...v][0] as number])));
});
