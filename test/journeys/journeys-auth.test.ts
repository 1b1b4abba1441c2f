import test from 'ava';
import { hashApiKey } from '../../src/config/api-key.js';
import type { AppConfig } from '../../src/config/config-types.js';
import { LIVE_KEY, startJourneysService, TEST_KEY } from '../helpers/journeys-service.js';

const withExtraKeys = (apps: AppConfig[]): AppConfig[] => {
  const [demo, ...rest] = apps;
  if (!demo) throw new Error('no demo app');
  const revoked = {
    id: 'revoked',
    hash: hashApiKey('pk_test_revoked'),
    apis: ['journeys' as const],
    environment: 'test' as const,
    revoked: true,
  };
  const sleepy: AppConfig = {
    ...demo,
    id: 'sleepy',
    status: 'disabled',
    keys: [
      {
        id: 'sleepy',
        hash: hashApiKey('pk_test_sleepy'),
        apis: ['journeys'],
        environment: 'test',
        revoked: false,
      },
    ],
    walls: [],
  };
  return [{ ...demo, keys: [...demo.keys, revoked] }, sleepy, ...rest];
};

test('auth errors: exact messages and the journeys error envelope', async (t) => {
  const s = await startJourneysService(t, { apps: withExtraKeys });
  const cases: [string | null, number, string][] = [
    [null, 401, 'Missing X-API-Key header'],
    ['pk_test_nope', 401, 'Invalid API key'],
    ['pk_test_revoked', 403, 'API key has been revoked'],
    ['pk_test_sleepy', 403, 'Application is not active'],
    ['demo-key', 403, 'API key may not call the journeys API'],
  ];
  for (const [key, status, message] of cases) {
    for (const [method, path] of [
      ['GET', '/users/u1'],
      ['POST', '/events'],
      ['GET', '/users/u1/offers'],
      ['POST', '/users/u1/offers/x/claim'],
    ] as const) {
      const res = await s.api(method, path, { key, body: method === 'POST' ? {} : undefined });
      t.is(res.status, status, `${key} ${method} ${path}`);
      t.deepEqual(res.body, { message, code: status, status: 'error' }, `${key} ${path}`);
    }
  }
  // A disabled app serves nothing and needs no rules (rules/sleepy does not exist): it keeps
  // no instance out of its load balancer (it used to: 503 "no valid rules yet for: sleepy").
  const ready = await s.fetch('/readyz');
  t.deepEqual(await ready.json(), { status: 'ready' });
  t.is(ready.status, 200);
});

test('success envelope and X-Rules-Version on every response that read the rules', async (t) => {
  const s = await startJourneysService(t);
  const created = await s.api('POST', '/users', { body: { externalId: 'env-user' } });
  t.is(created.status, 200);
  t.is(created.body.status, 'success');
  t.is(created.body.data.externalId, 'env-user');
  t.regex(created.headers.get('x-rules-version') ?? '', /^demo;version=.*journeys:1.*;hash=[0-9a-f]+$/);
  const missing = await s.api('GET', '/users/nobody');
  t.deepEqual(missing.body, { message: 'User not found', code: 404, status: 'error' });
  t.truthy(missing.headers.get('x-rules-version'));
});

test('live and test keys see fully separate data', async (t) => {
  const s = await startJourneysService(t);
  await s.api('POST', '/users', { key: TEST_KEY, body: { externalId: 'shared-id', displayName: 'Test' } });
  t.is((await s.api('GET', '/users/shared-id', { key: LIVE_KEY })).status, 404);
  t.is((await s.api('GET', '/users/shared-id/timeline', { key: LIVE_KEY })).status, 404);
  t.is((await s.api('GET', '/users/shared-id/offers', { key: LIVE_KEY })).status, 404);
  const live = await s.api('POST', '/users', {
    key: LIVE_KEY,
    body: { externalId: 'shared-id', displayName: 'Live' },
  });
  t.is(live.status, 200);
  t.is(live.body.data.environment, 'LIVE');
  const test_ = await s.api('GET', '/users/shared-id', { key: TEST_KEY });
  t.is(test_.body.data.displayName, 'Test');
  t.is(test_.body.data.environment, 'TEST');
  t.not(test_.body.data.id, live.body.data.id);
});
