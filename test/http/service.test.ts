import { hostname } from 'node:os';
import test from 'ava';
import { postBanner } from '../helpers/banner-client.js';
import { checkedFetch } from '../helpers/openapi-check.js';
import { rawRequest } from '../helpers/raw-http.js';
import { ADMIN, startTestService } from '../helpers/start-test-service.js';

test('a started service is healthy and ready, with a request id on every response', async (t) => {
  const s = await startTestService(t);
  const health = await s.fetch('/healthz');
  t.is(health.status, 200);
  t.regex(health.headers.get('x-request-id') ?? '', /^\d+$/);
  const ready = await s.fetch('/readyz');
  t.is(ready.status, 200);
  t.deepEqual(await ready.json(), { status: 'ready' });
});

test('/readyz is 503 while no app has valid rules (the demo app is the only one)', async (t) => {
  const s = await startTestService(t, { env: { OFFERD_RULES_DIR: 'test/no-such-rules-dir' } });
  const ready = await s.fetch('/readyz');
  t.is(ready.status, 503);
  t.regex(((await ready.json()) as { reason: string }).reason, /demo/);
});

test('admin routes need the bearer token: 401 without, 403 when wrong', async (t) => {
  const s = await startTestService(t);
  t.is((await s.fetch('/admin/rules')).status, 401);
  t.is((await s.fetch('/admin/rules', { headers: { Authorization: 'Bearer nope-nope' } })).status, 403);
  // Only HTTP's own whitespace surrounds a token: a no-break space makes it another token.
  const spaced = await s.fetch('/admin/rules', { headers: { Authorization: 'bearer \t demo-admin-token' } });
  t.is(spaced.status, 200);
  const nbsp = await s.fetch('/admin/rules', { headers: { Authorization: 'Bearer demo-admin-token\u00a0' } });
  t.is(nbsp.status, 403);
  const ok = await s.fetch('/admin/rules', { headers: ADMIN });
  t.is(ok.status, 200);
  const body = (await ok.json()) as {
    instance: { id: string; hostname: string; pid: number; startedAt: string };
    apps: { appId: string; active: { hash: string } | null; lastError: unknown }[];
  };
  // Without OFFERD_INSTANCE_ID the instance is named hostname:pid.
  t.like(body.instance, { id: `${hostname()}:${process.pid}`, hostname: hostname(), pid: process.pid });
  t.is(body.apps[0]?.appId, 'demo');
  t.truthy(body.apps[0]?.active?.hash);
  t.is(body.apps[0]?.lastError, null);
});

test('POST /admin/rules/reload goes through the registry and reports the outcome', async (t) => {
  const s = await startTestService(t);
  const res = await s.fetch('/admin/rules/reload', { method: 'POST', headers: ADMIN });
  t.is(res.status, 200);
  t.deepEqual(
    ((await res.json()) as { outcomes: { result: string }[] }).outcomes.map((o) => o.result),
    ['unchanged'],
  );
  t.is((await s.fetch('/admin/rules/reload?app=nope', { method: 'POST', headers: ADMIN })).status, 404);
  // Two apps named is not "every app": the query schema refuses it, and nothing reloads.
  const twice = await s.fetch('/admin/rules/reload?app=demo&app=demo', { method: 'POST', headers: ADMIN });
  t.is(twice.status, 400);
  t.like(await twice.json(), { error: { fields: [{ field: 'app', message: 'must be given once' }] } });
  const rollback = await s.fetch('/admin/rules/demo/rollback', {
    method: 'POST',
    headers: { ...ADMIN, 'content-type': 'application/json' },
    body: JSON.stringify({ hash: 42 }),
  });
  t.is(rollback.status, 400);
  t.like(await rollback.json(), {
    error: {
      fields: [
        { field: 'hash', message: 'must be the hash of a snapshot (a string of at most 128 characters)' },
      ],
    },
  });
  const rollbackOf = (app: string) =>
    s.fetch(`/admin/rules/${app}/rollback`, {
      method: 'POST',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify({ hash: 'abc' }),
    });
  const unknownApp = await rollbackOf('nope');
  t.is(unknownApp.status, 404);
  t.like(await unknownApp.json(), { error: { code: 'APP_NOT_FOUND' } });
  const unknownHash = await rollbackOf('demo');
  t.is(unknownHash.status, 404);
  t.like(await unknownHash.json(), { error: { code: 'SNAPSHOT_NOT_FOUND' } });
});

test('/metrics speaks Prometheus and counts requests and reloads', async (t) => {
  const s = await startTestService(t);
  await s.fetch('/healthz');
  const text = await (await s.fetch('/metrics')).text();
  t.regex(
    text,
    /offerd_http_request_duration_seconds_count\{route="\/healthz",method="GET",status="200"\} 1/,
  );
  t.regex(text, /offerd_rules_reloads_total\{app="demo",result="activated"\} 1/);
  t.regex(text, /offerd_rules_active_info\{app="demo",version="[^"]+",hash="[0-9a-f]{12}"\} 1/);
});

test('/metrics counts methods no route answers as other: a client cannot multiply its series', async (t) => {
  const s = await startTestService(t);
  const port = Number(new URL(s.url).port);
  for (const method of ['PROPFIND', 'MKCOL', 'LOCK', 'UNLOCK', 'SEARCH', 'PURGE'])
    await rawRequest(port, `${method} /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  const text = await (await s.fetch('/metrics')).text();
  t.notRegex(text, /method="(PROPFIND|MKCOL|LOCK|UNLOCK|SEARCH|PURGE)"/);
  const other =
    /offerd_http_request_duration_seconds_count\{route="[^"]*",method="other",status="[^"]+"\} (\d+)/g;
  t.is(
    [...text.matchAll(other)].reduce((n, m) => n + Number(m[1]), 0),
    6,
  );
});

test('with OFFERD_METRICS_TOKEN set, /metrics answers only that token or the admin token', async (t) => {
  const s = await startTestService(t, { env: { OFFERD_METRICS_TOKEN: 'scrape-secret' } });
  const metrics = (authorization?: string) =>
    s.fetch('/metrics', authorization === undefined ? {} : { headers: { Authorization: authorization } });
  const none = await metrics();
  t.is(none.status, 401);
  t.like(await none.json(), { error: { code: 'UNAUTHORIZED' } });
  t.is((await metrics('Bearer wrong')).status, 403);
  const scraped = await metrics('Bearer scrape-secret');
  t.is(scraped.status, 200);
  t.regex(await scraped.text(), /offerd_rules_active_info\{app="demo"/);
  t.is((await metrics('Bearer demo-admin-token')).status, 200);
  t.is((await s.fetch('/healthz')).status, 200, 'health and readiness stay open');
});

test('malformed JSON, oversized bodies and polluting keys get 4xx in the family envelope, never a 500', async (t) => {
  const s = await startTestService(t);
  const post = (path: string, body: string) =>
    s.fetch(path, { method: 'POST', headers: { ...ADMIN, 'content-type': 'application/json' }, body });
  const malformed = await post('/admin/rules/demo/rollback', '{"hash":');
  t.is(malformed.status, 400);
  t.like(await malformed.json(), { error: { code: 'INVALID_INPUT' } });
  const huge = await post(
    '/admin/rules/demo/rollback',
    JSON.stringify({ hash: 'x'.repeat(2 * 1024 * 1024) }),
  );
  t.is(huge.status, 413);
  // Without the token nothing of the body is read: the guard answers first.
  const anonymous = await s.fetch('/admin/rules/demo/rollback', { method: 'POST', body: '{"hash":' });
  t.is(anonymous.status, 401);
  const polluting = await s.fetch('/admin/rules/demo/rollback', {
    method: 'POST',
    headers: { ...ADMIN, 'content-type': 'application/json' },
    body: '{"hash":"x","nested":{"__proto__":{"admin":true}}}',
  });
  t.is(polluting.status, 400);
  t.like(await polluting.json(), { error: { code: 'INVALID_INPUT', fields: [{ field: '__proto__' }] } });
  t.is(({} as Record<string, unknown>).admin, undefined);
  const ctor = await s.fetch('/admin/rules/demo/rollback', {
    method: 'POST',
    headers: { ...ADMIN, 'content-type': 'application/json' },
    body: '{"hash":"x","a":{"constructor":{"prototype":{"admin":true}}}}',
  });
  t.is(ctor.status, 400);
  t.like(await ctor.json(), { error: { fields: [{ field: 'a.constructor' }] } });
});

test('unknown paths get 404 in the envelope of the family they belong to', async (t) => {
  const s = await startTestService(t);
  const wall = await s.fetch('/api/v1/nothing');
  t.is(wall.status, 404);
  t.like(await wall.json(), { status: 'failure', error: { code: 'NOT_FOUND' } });
  const journeys = await s.fetch('/v1/user-journeys/nothing');
  t.like(await journeys.json(), { status: 'error', code: 404 });
  // The GamifyHost Flutter SDK's games endpoints: not served, but its client reads `message`.
  for (const path of ['/v1/games', '/v1/leaderboard?page=1&limit=20', '/v1/users/u-1/sdk-balance']) {
    const games = await s.fetch(path, { headers: { 'X-API-Key': 'pk_test_demo' } });
    t.is(games.status, 404, path);
    t.deepEqual(await games.json(), { message: 'Not found', code: 404, status: 'error' }, path);
    // The SDK's widget calls them from a WebView: its preflight must pass for the 404 to be read.
    const preflight = await s.fetch(path, {
      method: 'OPTIONS',
      headers: {
        Origin: 'null',
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'x-api-key',
      },
    });
    t.is(preflight.status, 204, `${path} preflight`);
    t.regex(preflight.headers.get('access-control-allow-headers') ?? '', /X-API-Key/i);
    t.is(games.headers.get('access-control-allow-origin'), '*');
  }
  t.like(await (await s.fetch('/v2/nothing')).json(), { error: { code: 'NOT_FOUND' } });
  t.is(wall.headers.get('access-control-allow-origin'), '*');
});

test('stop() finishes cleanly and the port is released', async (t) => {
  const s = await startTestService(t);
  await s.stop();
  await t.throwsAsync(() => checkedFetch(`${s.url}/healthz`));
});

test('/metrics counts rule decisions answered from the decision cache', async (t) => {
  const s = await startTestService(t, { env: { OFFERD_STORE: 'memory' } });
  const lookups = async (result: string) => {
    const text = await (await s.fetch('/metrics')).text();
    const match = new RegExp(`offerd_rules_decision_cache_lookups_total\\{result="${result}"\\} (\\d+)`).exec(
      text,
    );
    return Number(match?.[1] ?? Number.NaN);
  };
  const before = { hit: await lookups('hit'), miss: await lookups('miss') };
  // Two new users who look the same to the rules: the second one's decisions are cached.
  for (const userId of ['cache-a', 'cache-b']) {
    const body = { userId, offerId: '8622', countryIso2: 'DE', languageIso2: 'de', prizeTypes: ['chest'] };
    t.is((await postBanner(s, body)).status, 200);
  }
  t.true((await lookups('miss')) > before.miss);
  t.true((await lookups('hit')) > before.hit);
});

test('request ids tell nothing about the traffic between two requests: not consecutive', async (t) => {
  const s = await startTestService(t);
  const ids: number[] = [];
  for (let i = 0; i < 20; i++) ids.push(Number((await s.fetch('/healthz')).headers.get('x-request-id')));
  const steps = new Set(ids.slice(1).map((id, i) => id - (ids[i] as number)));
  t.true(steps.size > 10, `ids ${ids.join(', ')}`);
  t.is(new Set(ids).size, ids.length);
  t.true(ids.every((id) => Number.isSafeInteger(id) && id > 0));
});

test('/metrics: keyless clients sending every method and error to every route add series per route, not per method and status; each code is counted apart', async (t) => {
  const s = await startTestService(t);
  const paths = [
    '/getPersonalizedBanner',
    '/track',
    '/v1/user-journeys/users',
    '/api/v1/postback',
    '/admin/rules',
  ];
  const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'];
  const bodies: [Record<string, string>, string][] = [
    [{}, '{}'],
    [{ Authorization: 'wrong', 'X-API-Key': 'pk_test_wrong' }, '{}'],
    [{ 'Content-Type': 'text/xml' }, '<a/>'],
    [{ 'Content-Type': 'application/json' }, '{"a":'],
  ];
  const statuses = new Set<number>();
  for (const path of paths)
    for (const method of methods)
      for (const [headers, body] of bodies) {
        const res = await s.fetch(path, {
          method,
          headers,
          ...(method === 'GET' || method === 'HEAD' ? {} : { body }),
        });
        await res.arrayBuffer();
        statuses.add(res.status);
      }
  const text = await (await s.fetch('/metrics')).text();
  const series = [...text.matchAll(/^offerd_http_request_duration_seconds_count\{([^}]*)\}/gm)]
    .map((m) => m[1] as string)
    .filter((labels) =>
      paths.some((p) => labels.includes(`route="${p}"`) || labels.includes('route="unmatched"')),
    );
  t.true(statuses.size >= 5, `the requests met ${[...statuses].join(', ')}`);
  // Per route at most: the methods it answers, `other`, each with 4xx and a success.
  t.true(series.length <= paths.length * 6, `${series.length} series:\n${series.join('\n')}`);
  for (const status of statuses) {
    if (status >= 400 && status < 500)
      t.regex(
        text,
        new RegExp(`^offerd_http_responses_total\\{status="${status}"\\} \\d+`, 'm'),
        String(status),
      );
  }
});
