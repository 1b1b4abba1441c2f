import test from 'ava';
import { DEMO_KEY } from '../helpers/banner-client.js';
import { httpRequest, rawRequest } from '../helpers/raw-http.js';
import { ADMIN, startTestService } from '../helpers/start-test-service.js';

/**
 * GamifyHost's Flutter SDK joins its `apiUrl`'s path and `/v1/…`: an `apiUrl` ending in `/`
 * asks for `//v1/…`. Leading slashes count as one, for every API, before any guard reads the
 * path; the old code answered such a path with the neutral 404 (the SDK: 'Unknown error').
 */
test('a path with leading slashes is the same route, with its guards and envelope', async (t) => {
  const s = await startTestService(t);
  // Plain fetch: the test service's own checks the answer against the API reference by its path.
  const call = (path: string, init?: RequestInit) => fetch(`${s.url}${path}`, init);
  const journeys = { 'X-API-Key': 'pk_test_demo', 'content-type': 'application/json' };
  const created = await call('//v1/user-journeys/users', {
    method: 'POST',
    headers: journeys,
    body: JSON.stringify({ externalId: 'slashes' }),
  });
  t.is(created.status, 200);
  const offers = await call('//v1/user-journeys/users/slashes/offers', { headers: journeys });
  t.is(offers.status, 200);
  t.like(await offers.json(), { status: 'success', data: { offers: [] } });
  const missing = await call('///v1/user-journeys/users/nobody/offers', { headers: journeys });
  t.deepEqual(await missing.json(), { message: 'User not found', code: 404, status: 'error' });
  // The games endpoints' 404 in GamifyHost's envelope, whose message the SDK reads.
  t.deepEqual(await (await call('//v1/games', { headers: journeys })).json(), {
    message: 'Not found',
    code: 404,
    status: 'error',
  });

  const banner = await call('//getPersonalizedBanner', {
    method: 'POST',
    headers: { Authorization: DEMO_KEY, 'content-type': 'application/json' },
    body: JSON.stringify({ userId: 'slashes', offerId: '8622' }),
  });
  t.is(banner.status, 200);
  t.truthy(((await banner.json()) as { kibotuMetadata?: unknown }).kibotuMetadata);

  // Admin's guard reads the merged path too: no token, no answer.
  const open = await call('//admin/rules');
  t.is(open.status, 401);
  t.like(await open.json(), { error: { code: 'UNAUTHORIZED' } });
  t.is((await call('//admin/rules', { headers: ADMIN })).status, 200);
});

test('errors Node raises before routing pick their envelope from the merged path; a broken absolute target is a JSON 400', async (t) => {
  const s = await startTestService(t);
  // An Expect the server cannot meet, on //v1/user-journeys: GamifyHost's envelope, as on /v1/….
  const expect = await rawRequest(
    s.port,
    httpRequest('POST', '//v1/user-journeys/users', { 'X-API-Key': 'pk_test_demo', Expect: 'bogus' }, '{}'),
  );
  t.is(expect.status, 417);
  t.like(JSON.parse(expect.body), { code: 417, status: 'error' });
  // Headers too large on //track: the Kibotu SDKs' `0`.
  const big = await rawRequest(
    s.port,
    httpRequest(
      'POST',
      '//track',
      { 'X-Filler': 'x'.repeat(20_000), 'Content-Type': 'application/json' },
      '[]',
    ),
  );
  t.is(big.status, 431);
  t.is(big.body, '0');
  // A target Koa cannot parse made every read of the path throw: a plain-text 500 with a stack in the log.
  for (const target of ['http://[bad/readyz', 'http://[::1/v1/user-journeys/users']) {
    const res = await rawRequest(s.port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    t.is(res.status, 400, target);
    t.deepEqual(JSON.parse(res.body), {
      error: { code: 'BAD_REQUEST', message: 'the request target is not a valid URL' },
    });
  }
  t.is((await s.fetch('/healthz')).status, 200);
});
