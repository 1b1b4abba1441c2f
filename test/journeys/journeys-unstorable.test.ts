import test from 'ava';
import type { Partition } from '../../src/journeys/domain/journey-types.js';
import { JOURNEYS_SHARDS } from '../../src/journeys/store/journeys-document-store.js';
import { userKey } from '../../src/journeys/store/journeys-indexes.js';
import { ShardKey } from '../../src/store/document/shard-key.js';
import { plays, startJourneysService, TEST_KEY } from '../helpers/journeys-service.js';
import { checkedFetch } from '../helpers/openapi-check.js';

const PARTITION: Partition = { appId: 'demo', environment: 'test' };
/** `n` external ids in the lowdb shard of `of`, under the data dir's key. */
const neighbours = async (dataDir: string, of: string, n: number): Promise<string[]> => {
  const key = await ShardKey.of(dataDir);
  const shardOf = (externalId: string) => key.index(userKey(PARTITION, externalId), JOURNEYS_SHARDS);
  const found: string[] = [];
  for (let i = 0; found.length < n; i++) if (shardOf(`${of}-${i}`) === shardOf(of)) found.push(`${of}-${i}`);
  return found;
};

/** A JSON body whose metadata is nested `depth` objects deep, written as text (no recursion here). */
const deepBody = (fields: string, depth: number) =>
  `{${fields},"metadata":{"deep":${'{"a":'.repeat(depth)}{}${'}'.repeat(depth)}}}`;

const post = (url: string, path: string, body: string) =>
  checkedFetch(`${url}/v1/user-journeys${path}`, {
    method: 'POST',
    headers: { 'X-API-Key': TEST_KEY, 'Content-Type': 'application/json' },
    body,
    signal: AbortSignal.timeout(10_000),
  });

test('metadata nested 5,000 levels fails its own request with a JSON error; its shard keeps working', async (t) => {
  const s = await startJourneysService(t, { store: 'lowdb' });
  const [before, during, after] = (await neighbours(s.dataDir, 'deep', 3)) as [string, string, string];
  t.is((await s.api('POST', '/users', { body: { externalId: before, displayName: 'Before' } })).status, 200);

  const [badUser, badEvent, good] = await Promise.all([
    post(s.url, '/users', deepBody('"externalId":"deep"', 5000)),
    post(
      s.url,
      '/events',
      deepBody(
        `"externalId":"deep","eventType":"spin","category":"GAME_PLAY","occurredAt":"${s.clock.ago(0)}"`,
        5000,
      ),
    ),
    s.api('POST', '/users', { body: { externalId: during, displayName: 'During' } }),
  ]);
  for (const res of [badUser, badEvent]) {
    // Refused at the edge (a depth limit) or by the store: either way an error envelope, not a hang.
    t.true(res.status >= 400, `status ${res.status}`);
    t.regex(res.headers.get('content-type') ?? '', /json/);
    t.is(((await res.json()) as { status: string }).status, 'error');
  }
  t.is(good.status, 200);

  t.is((await s.api('POST', '/users', { body: { externalId: after, displayName: 'After' } })).status, 200);
  t.is((await s.api('POST', '/track', { body: plays(before, 2, s.clock) })).status, 201);
  t.is((await s.api('GET', '/users/deep')).status, 404);
  for (const [id, name] of [
    [before, 'Before'],
    [during, 'During'],
    [after, 'After'],
  ]) {
    t.is((await s.api('GET', `/users/${id}`)).body.data.displayName, name);
  }
  t.is((await s.generate('test')).status, 200);
});
