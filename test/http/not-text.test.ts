/**
 * NUL and lone UTF-16 surrogates are no text any store keeps (PostgreSQL answered 500 and
 * half-applied an /engage batch; lowdb stored them): refused at the edge, by field, on
 * every API. Paths whose %-escapes are not UTF-8 name nothing (they were read as raw text).
 */
import test from 'ava';
import { startTestService, type TestService } from '../helpers/start-test-service.js';

const JOURNEYS = { 'X-API-Key': 'pk_test_demo', 'Content-Type': 'application/json' };
const BANNER = { Authorization: 'demo-key', 'Content-Type': 'application/json' };

const post = (s: TestService, path: string, headers: Record<string, string>, body: string) =>
  s.fetch(path, { method: 'POST', headers, body });

test('a NUL or a lone surrogate in a value or a key is a 400 naming the field, and nothing is stored', async (t) => {
  const s = await startTestService(t);
  for (const [body, field] of [
    ['{"externalId":"nt-1","displayName":"Ann\\u0000"}', 'displayName'],
    ['{"externalId":"nt-1","displayName":"Ann\\ud83d"}', 'displayName'],
    ['{"externalId":"nt-1","metadata":{"\\udc00":1}}', 'metadata'],
  ] as const) {
    const res = await post(s, '/v1/user-journeys/users', JOURNEYS, body);
    t.is(res.status, 400, body);
    const { errors } = (await res.json()) as { errors: { field: string; message: string }[] };
    t.is(errors[0]?.field, field, body);
    t.regex(errors[0]?.message ?? '', /NUL character|lone UTF-16 surrogate/);
  }
  t.is((await s.fetch('/v1/user-journeys/users/nt-1', { headers: JOURNEYS })).status, 404);

  const render = await post(s, '/getPersonalizedBanner', BANNER, '{"userId":"sg\\ud800","offerId":"1"}');
  t.is(render.status, 400);
  t.like(await render.json(), { code: 'INVALID_INPUT', errors: [{ field: 'userId' }] });

  // A batch's record is refused alone (the rest applied once, a 2xx: no retry applies it again).
  const engage = await post(
    s,
    '/engage?verbose=1',
    BANNER,
    '[{"$distinct_id":"nt-a","$add":{"n":1}},{"$distinct_id":"nt-b","$set":{"name":"x\\u0000"}},{"$distinct_id":"nt-c","$add":{"n":1}}]',
  );
  t.is(engage.status, 200);
  const reply = (await engage.json()) as {
    status: number;
    failed_records: { index: number; field: string }[];
  };
  t.deepEqual(
    reply.failed_records.map((r) => [r.index, r.field]),
    [[1, '$set.name']],
  );
});

test('a path whose %-escapes are not UTF-8, or that decodes to a NUL, is a 400 in its API envelope; %25 is a percent sign', async (t) => {
  const s = await startTestService(t);
  const journeys = await s.fetch('/v1/user-journeys/users/a%00b', { headers: JOURNEYS });
  t.is(journeys.status, 400);
  t.like(await journeys.json(), { errors: [{ field: 'path', message: 'holds a NUL character (\\u0000)' }] });
  const raw = await s.fetch('/v1/user-journeys/users/p%ff', { headers: JOURNEYS });
  t.is(raw.status, 400);
  t.like(await raw.json(), { errors: [{ field: 'path', message: 'has a %-escape that is not UTF-8' }] });
  const wall = await s.fetch('/api/v1/users/a%ff/personalized?wall=1001&numoffers=1&ip=0');
  t.is(wall.status, 400);
  t.like(await wall.json(), {
    status: 'failure',
    error: { code: 'INVALID_PARAMETER', fields: [{ field: 'path' }] },
  });
  // A real percent sign is an id like any other: the user is simply not there.
  t.is((await s.fetch('/v1/user-journeys/users/p%25ff', { headers: JOURNEYS })).status, 404);
});

test('journeys events: occurredAt before 1970 is refused; optional fields sent as null are absent (Dart toJson)', async (t) => {
  const s = await startTestService(t);
  const early = await post(
    s,
    '/v1/user-journeys/events',
    JOURNEYS,
    '{"externalId":"nt-2","eventType":"spin","category":"GAME_PLAY","occurredAt":"0000-01-01T00:00:00Z"}',
  );
  t.is(early.status, 400);
  t.like(await early.json(), { errors: [{ field: 'occurredAt', message: 'must not be before 1970' }] });
  const nulls = await post(
    s,
    '/v1/user-journeys/events',
    JOURNEYS,
    '{"externalId":"nt-2","eventType":"spin","category":"GAME_PLAY","points":null,"occurredAt":null,"metadata":null,"clientEventId":null}',
  );
  t.is(nulls.status, 201, await nulls.clone().text());
  const batch = await post(
    s,
    '/v1/user-journeys/track',
    JOURNEYS,
    '{"events":[{"externalId":"nt-2","eventType":"spin","category":"GAME_PLAY","metadata":null}]}',
  );
  t.true(batch.status < 300, await batch.text());
  const timeline = await s.fetch('/v1/user-journeys/users/nt-2/timeline', { headers: JOURNEYS });
  t.is(((await timeline.json()) as { data: { total: number } }).data.total, 2);
});
