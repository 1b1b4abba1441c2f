/**
 * Requests that could mean two things get a 400 (or 401) that says so, never a guess, and
 * a refusal reads like its API: a hostile-client probe found a repeated `?ip=0` geolocating
 * the caller, `page[]=2` serving page 1, two Authorization headers taking the first app, a
 * leap second as a 500, and the edge's own refusals in the wrong order or words.
 */
import test from 'ava';
import { startBehindProxy } from '../helpers/behind-proxy.js';
import { rawRequest } from '../helpers/raw-http.js';
import { ADMIN, startTestService, type TestService } from '../helpers/start-test-service.js';

const JOURNEYS = { 'X-API-Key': 'pk_test_demo', 'Content-Type': 'application/json' };
const BANNER = { Authorization: 'demo-key', 'Content-Type': 'application/json' };

const post = (s: Pick<TestService, 'fetch'>, path: string, headers: Record<string, string>, body: unknown) =>
  s.fetch(path, { method: 'POST', headers, body: JSON.stringify(body) });

test('banner: ?ip given twice or as ip[] is a 400 naming ip, not a geolocated caller; ip=0 alone still is none', async (t) => {
  const s = await startBehindProxy(t);
  const headers = { ...BANNER, 'X-Forwarded-For': '8.8.8.8' };
  const render = (query: string) =>
    post(s, `/ab/getPersonalizedBanner${query}`, headers, { userId: 'ip-1', offerId: '1' });
  const once = await render('?ip=0');
  t.is(once.status, 200);
  t.is(
    ((await once.json()) as { kibotuMetadata: { countryIso2: unknown } }).kibotuMetadata.countryIso2,
    null,
  );
  for (const query of ['?ip=0&ip=0', '?ip[]=0', '?ip=1&ip[x]=0']) {
    const res = await render(query);
    t.is(res.status, 400, query);
    t.like(await res.json(), { code: 'INVALID_INPUT', errors: [{ field: 'ip' }] }, query);
  }
  const feature = await post(s, '/feature?ip[]=0', headers, {
    featureName: 'special_offer_on_level_up',
    distinct_id: 'ip-1',
    token: 'demo-key',
  });
  // An SDK route: the refusal is its `0`, at HTTP 200 (no resend can change it).
  t.is(feature.status, 200);
  t.is(await feature.text(), '0');
});

test('journeys: a declared query parameter in bracket form (page[]=2) is a 400 naming it, not page 1', async (t) => {
  const s = await startTestService(t);
  t.is((await post(s, '/v1/user-journeys/users', JOURNEYS, { externalId: 'pg-1' })).status, 200);
  const timeline = (q: string) =>
    s.fetch(`/v1/user-journeys/users/pg-1/timeline?${q}`, { headers: JOURNEYS });
  t.is((await timeline('page=2')).status, 200);
  for (const [q, message] of [
    ['page[]=2', 'must be given as page=<value>, not with brackets'],
    ['limit[0]=5', 'must be given as limit=<value>, not with brackets'],
    ['page=1&page[]=2', 'must be given once'],
  ] as const) {
    const res = await timeline(q);
    t.is(res.status, 400, q);
    const field = q.startsWith('limit') ? 'limit' : 'page';
    t.like(await res.json(), { errors: [{ field, message }] }, q);
  }
  t.is((await timeline('other[]=1')).status, 200, 'a parameter the route does not know is still ignored');
});

test('banner: two Authorization headers are a 401, as on /admin; one is served', async (t) => {
  const s = await startTestService(t);
  const body = JSON.stringify([{ event: 'opened', properties: { distinct_id: 'auth-1', time: Date.now() } }]);
  const send = (auth: string) =>
    rawRequest(
      s.port,
      Buffer.from(
        `POST /track HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${auth}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      ),
    );
  const one = await send('Authorization: demo-key\r\n');
  t.is(one.status, 200, one.body);
  const two = await send('Authorization: demo-key\r\nauthorization: demo-key\r\n');
  t.is(two.status, 401, two.body);
});

test('journeys: an occurredAt on a leap second (:60) is a 400 naming it, alone and in a /track batch, and nothing is stored', async (t) => {
  const s = await startTestService(t);
  const event = {
    externalId: 'leap-1',
    eventType: 'spin',
    category: 'GAME_PLAY',
    occurredAt: '2016-12-31T23:59:60Z',
  };
  const one = await post(s, '/v1/user-journeys/events', JOURNEYS, event);
  t.is(one.status, 400);
  t.like(await one.json(), { errors: [{ field: 'occurredAt' }] });
  const batch = await post(s, '/v1/user-journeys/track', JOURNEYS, {
    events: [{ ...event, occurredAt: '2016-12-31T23:59:59Z' }, event],
  });
  t.is(batch.status, 400);
  t.is((await s.fetch('/v1/user-journeys/users/leap-1', { headers: JOURNEYS })).status, 404);
  const explain = await post(
    s,
    '/admin/apps/demo/explain',
    { ...ADMIN, 'Content-Type': 'application/json' },
    {
      api: 'banner',
      request: { userId: 'u-1', offerId: '1' },
      state: {},
      now: '2016-12-31T23:59:60Z',
    },
  );
  t.is(explain.status, 400);
  t.like(await explain.json(), { error: { fields: [{ field: 'now' }] } });
});

test("journeys: an occurredAt without a time zone (Dart's local toIso8601String) is a 400 that says to send one, alone and in a batch", async (t) => {
  const s = await startTestService(t);
  const event = {
    externalId: 'dart-1',
    eventType: 'spin',
    category: 'GAME_PLAY',
    occurredAt: '2026-11-20T06:00:00.123456',
  };
  const one = await post(s, '/v1/user-journeys/events', JOURNEYS, event);
  t.is(one.status, 400);
  const body = (await one.json()) as { errors: { field: string; message: string }[] };
  t.is(body.errors[0]?.field, 'occurredAt');
  t.regex(body.errors[0]?.message ?? '', /with its time zone, Z or an offset/);
  const batch = await post(s, '/v1/user-journeys/track', JOURNEYS, { events: [event] });
  t.is(batch.status, 400);
  t.like(await batch.json(), { errors: [{ field: 'events[0].occurredAt' }] });
  t.is(
    (await s.fetch('/v1/user-journeys/users/dart-1', { headers: JOURNEYS })).status,
    404,
    'nothing stored',
  );
  const zoned = await post(s, '/v1/user-journeys/events', JOURNEYS, {
    ...event,
    occurredAt: '2026-11-20T06:00:00.123456Z',
  });
  t.is(zoned.status, 201, 'the same time in UTC is taken');
});

test('journeys: a date both the schema and the clock rules refuse is one problem, alone and in a batch', async (t) => {
  const s = await startTestService(t);
  const event = { externalId: 'twice-1', eventType: 'spin', category: 'GAME_PLAY' };
  for (const occurredAt of ['2024-01-01T00:00:60Z', '+275760-09-13T00:00:00Z', '-271821-04-20T00:00:00Z']) {
    const one = await post(s, '/v1/user-journeys/events', JOURNEYS, { ...event, occurredAt });
    t.is(one.status, 400);
    const { errors } = (await one.json()) as { errors: { field: string }[] };
    t.deepEqual(
      errors.map((e) => e.field),
      ['occurredAt'],
      occurredAt,
    );
    const batch = await post(s, '/v1/user-journeys/track', JOURNEYS, { events: [{ ...event, occurredAt }] });
    t.is(batch.status, 400);
    const listed = (await batch.json()) as { errors: { field: string }[] };
    t.deepEqual(
      listed.errors.map((e) => e.field),
      ['events[0].occurredAt'],
      occurredAt,
    );
  }
});

test('/feature sent as a list of one record the edge refuses: the answer names what is wrong with it', async (t) => {
  const s = await startTestService(t);
  const res = await post(s, '/feature?verbose=1', BANNER, [
    { featureName: 'special_offer_on_level_up', distinct_id: 'f-1', propOverrides: { s: 'a\u0000' } },
  ]);
  t.is(res.status, 200);
  t.like(await res.clone().json(), { status: 0 });
  const { error } = (await res.json()) as { error: string };
  t.regex(error, /propOverrides\.s holds a NUL character/);
});

test('a batch without Authorization whose first record’s token is no text: that record alone is refused', async (t) => {
  const s = await startTestService(t);
  const event = (token: string, id: string) => ({
    event: 'opened',
    properties: { distinct_id: 'tok-1', token, $insert_id: id, time: Date.now() },
  });
  const res = await post(s, '/track?verbose=1', { 'Content-Type': 'application/json' }, [
    event('demo-key\u0000', 'a'),
    event('demo-key', 'b'),
  ]);
  t.is(res.status, 200, await res.clone().text());
  t.like(await res.json(), { status: 0, failed_records: [{ index: 0 }] });
});

test('a bad path on /admin without a token is the 401 of any /admin request; offerwall edge refusals say INVALID_PARAMETER', async (t) => {
  const s = await startTestService(t);
  for (const path of ['/admin/rules%00', '/admin/apps/demo/bans%ff']) {
    t.is((await s.fetch(path)).status, 401, path);
    t.is((await s.fetch(path, { headers: ADMIN })).status, 400, `${path} with the token`);
  }
  const postback = await s.fetch('/api/v1/postback', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: '{"a":',
  });
  t.is(postback.status, 400);
  t.like(await postback.json(), { status: 'failure', error: { code: 'INVALID_PARAMETER' } });
});
