import { rm } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { loadConfig } from '../../src/config/load-config.js';
import { requiredKinds } from '../../src/required-kinds.js';
import { displayPath } from '../../src/rules/display-path.js';
import { copyOfShippedRules } from '../helpers/rules-fixture.js';
import { ADMIN, startTestService, type TestService } from '../helpers/start-test-service.js';

/** One call to each API of the demo app; journeys first creates its user. */
async function callApis(s: TestService): Promise<Response[]> {
  const journeysKey = { 'X-API-Key': 'pk_test_demo', 'Content-Type': 'application/json' };
  await s.fetch('/v1/user-journeys/users', {
    method: 'POST',
    headers: journeysKey,
    body: JSON.stringify({ externalId: 'u-1' }),
  });
  return Promise.all([
    s.fetch('/getPersonalizedBanner', {
      method: 'POST',
      headers: { Authorization: 'demo-key', 'Content-Type': 'application/json' },
      body: JSON.stringify({ userId: 'u-1', offerId: '1' }),
    }),
    s.fetch('/api/v1/users/u-1/personalized?wall=1001&numoffers=3&ip=5.9.0.1'),
    s.fetch('/v1/user-journeys/users/u-1/offers', { headers: journeysKey }),
  ]);
}

test('the shipped config needs Banner, Offerwall and Journeys for the demo app', (t) => {
  const demo = loadConfig({}).apps.find((a) => a.id === 'demo');
  t.deepEqual(
    requiredKinds(demo).map((r) => r.kind),
    ['Banner', 'Offerwall', 'Journeys'],
  );
  t.regex(requiredKinds(demo)[0]?.neededBy ?? '', /^the banner API needs it \(config: key demo-banner\)$/);
  t.deepEqual(requiredKinds(demo && { ...demo, status: 'disabled' }), []);
  t.deepEqual(requiredKinds(undefined), []);
});

test('a deleted kind file is refused: APIs keep serving the last good rules, ready stays 200, the error is in /admin/rules and metrics', async (t) => {
  const rulesDir = await copyOfShippedRules(t);
  const s = await startTestService(t, { env: { OFFERD_RULES_DIR: rulesDir } });
  const good = s.registry.current('demo');
  await rm(path.join(rulesDir, 'demo', 'banner.yaml'));
  const reload = await s.fetch('/admin/rules/reload', { method: 'POST', headers: ADMIN });
  t.is(reload.status, 422);
  for (const res of await callApis(s)) {
    t.is(res.status, 200, res.url);
    t.is(res.headers.get('x-rules-version'), `demo;version=${good?.version};hash=${good?.hash}`);
  }
  t.is((await s.fetch('/readyz')).status, 200);
  const status = (await (await s.fetch('/admin/rules', { headers: ADMIN })).json()) as {
    apps: { appId: string; active: { hash: string }; lastError: { problems: string[]; serving: unknown } }[];
  };
  const demo = status.apps.find((a) => a.appId === 'demo');
  t.is(demo?.active.hash, good?.hash);
  t.deepEqual(demo?.lastError.problems, [
    `${displayPath(path.join(rulesDir, 'demo', 'banner.yaml'))}: kind Banner missing (deleted or renamed?): the banner API needs it (config: key demo-banner); the last good version ${good?.version} (hash ${good?.hash}) keeps serving`,
  ]);
  t.deepEqual(demo?.lastError.serving, { version: good?.version, hash: good?.hash });
  const metrics = await (await s.fetch('/metrics')).text();
  t.regex(metrics, /offerd_rules_reloads_total\{app="demo",result="failed"\} 1/);
});

test('with no valid rules at start the app is not ready and every API answers 503 RULES_NOT_READY', async (t) => {
  const rulesDir = await copyOfShippedRules(t);
  await rm(path.join(rulesDir, 'demo', 'offerwall.yaml'));
  const s = await startTestService(t, { env: { OFFERD_RULES_DIR: rulesDir } });
  const ready = await s.fetch('/readyz');
  t.is(ready.status, 503);
  // The demo app is the only one: none serves, so not ready; `notServing` names it (since
  // /readyz stays 200 while another app serves, it is where monitoring sees such an app).
  t.deepEqual(await ready.json(), {
    status: 'not ready',
    reason: 'no valid rules yet for: demo',
    notServing: ['demo'],
  });
  const [banner, offerwall, journeys] = await callApis(s);
  t.is(banner?.status, 503);
  t.like(await banner?.json(), { code: 'RULES_NOT_READY' });
  t.is(offerwall?.status, 503);
  t.like(await offerwall?.json(), { error: { code: 'RULES_NOT_READY' } });
  t.is(journeys?.status, 503);
  t.like(await journeys?.json(), { code: 503, status: 'error' });
});
