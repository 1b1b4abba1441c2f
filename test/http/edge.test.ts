import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import test from 'ava';
import { startOfferdProcess } from '../helpers/offerd-process.js';
import { httpRequest, rawRequest } from '../helpers/raw-http.js';
import { ADMIN, startTestService, type TestService } from '../helpers/start-test-service.js';

const BAN = JSON.stringify({ type: 'ip', value: '0.0.0.0/0', reason: 'x' });

/** A concrete path for a route pattern: parameters become plausible values. */
const concrete = (path: string): string =>
  path
    .replace(':appId', 'demo')
    .replace(':uid', 'u-1')
    .replace(':externalId', 'u-1')
    .replace(/:(\w+)/g, 'x');

/** Spellings of an admin path a router, a proxy or a browser might treat as the same. */
function spellings(path: string): string[] {
  const rest = path.slice('/admin'.length);
  const upper = path.toUpperCase();
  return [
    path,
    upper,
    `/ADMIN${rest}`,
    `/Admin${rest}`,
    `/aDmin${rest}`,
    `/${path}`,
    `//admin/${rest}`,
    `/%61dmin${rest}`,
    `/admin%2F${rest.slice(1)}`,
    `${path}/`,
    `${path}//`,
    `/admin/.${rest}`,
    `/admin/x/..${rest}`,
    `/./admin${rest}`,
    `${path}?x=1`,
    `${path}%00`,
    `${path};x`,
  ];
}

async function bans(s: TestService): Promise<unknown[]> {
  const res = await s.fetch('/admin/apps/demo/bans', { headers: ADMIN });
  return ((await res.json()) as { bans: unknown[] }).bans;
}

test('every spelling of every admin route answers 401/403/404 in JSON without a valid token, and changes nothing', async (t) => {
  const s = await startTestService(t);
  const admin = s.routes.filter((r) => r.family === 'admin');
  t.true(admin.length >= 10, 'the admin routes are listed');
  let tried = 0;
  for (const route of admin) {
    for (const path of spellings(concrete(route.path))) {
      for (const auth of [
        {},
        { Authorization: 'Bearer wrong-token' },
        { Authorization: 'demo-key' },
      ] as Record<string, string>[]) {
        const res = await rawRequest(
          s.port,
          httpRequest(route.method, path, { ...auth, 'Content-Type': 'application/json' }, BAN),
        );
        tried++;
        t.true(
          [400, 401, 403, 404].includes(res.status),
          `${route.method} ${path} ${JSON.stringify(auth)} answered ${res.status}`,
        );
        if (res.body !== '') t.notThrows(() => JSON.parse(res.body), `${route.method} ${path}: ${res.body}`);
      }
    }
  }
  t.true(tried > 300);
  t.deepEqual(await bans(s), [], 'no ban was added');
});

test('an admin body is not read before the token is checked: a slow or huge body gets 401 at once', async (t) => {
  const s = await startTestService(t);
  const huge = await rawRequest(
    s.port,
    httpRequest(
      'POST',
      '/admin/apps/demo/bans',
      { 'Content-Type': 'application/json' },
      'x'.repeat(5_000_000),
    ),
  );
  t.is(huge.status, 401);
  // Headers promise a body that never comes: the guard answers without waiting for it.
  const slow = await rawRequest(
    s.port,
    'POST /admin/rules/reload HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 100\r\n\r\n{',
    // Under the 30 s request timeout, which a guard waiting for the body would answer at.
    15_000,
  );
  t.is(slow.status, 401);
  t.like(JSON.parse(slow.body), { error: { code: 'UNAUTHORIZED' } });
});

test('CORS is open on the public APIs and absent on admin, whatever the spelling', async (t) => {
  const s = await startTestService(t);
  for (const path of ['/admin/rules', '/ADMIN/rules', '/Admin/apps/demo/bans']) {
    const res = await rawRequest(s.port, httpRequest('OPTIONS', path, { Origin: 'https://evil.example' }));
    t.is(res.headers['access-control-allow-origin'], undefined, path);
    t.is(res.status, 401, path);
  }
  const pre = await rawRequest(
    s.port,
    httpRequest('OPTIONS', '/getPersonalizedBanner', { Origin: 'https://a.example' }),
  );
  t.is(pre.status, 204);
  t.is(pre.headers['access-control-allow-origin'], '*');
  // A preflight says a path exists only where it does (OPTIONS /api/v1/postback// was a 204: full fuzz run).
  for (const path of ['/api/v1/postback//', '/api/v1/nope', '/v1/user-journeys/nope']) {
    const unknown = await rawRequest(s.port, httpRequest('OPTIONS', path, { Origin: 'https://a.example' }));
    t.is(unknown.status, 404, path);
    t.is(unknown.headers['access-control-allow-origin'], '*', `${path}: a browser may read the 404`);
  }
  const known = await rawRequest(
    s.port,
    httpRequest('OPTIONS', '/api/v1/postback', { Origin: 'https://a.example' }),
  );
  t.is(known.status, 204);
});

test('every status is JSON in its API envelope: 404, 405, 413, 415', async (t) => {
  const s = await startTestService(t);
  const unknown = await s.fetch('/nothing/here');
  t.is(unknown.status, 404);
  t.regex(unknown.headers.get('content-type') ?? '', /application\/json/);
  t.like(await unknown.json(), { error: { code: 'NOT_FOUND' } });

  const bannerGet = await s.fetch('/getPersonalizedBanner');
  t.is(bannerGet.status, 405);
  t.is(bannerGet.headers.get('allow'), 'POST');
  t.like(await bannerGet.json(), { code: 'METHOD_NOT_ALLOWED' });

  const clickDelete = await s.fetch('/api/v1/click', { method: 'DELETE' });
  t.is(clickDelete.status, 405);
  t.like(await clickDelete.json(), { status: 'failure', error: { code: 'METHOD_NOT_ALLOWED' } });

  const journeysPut = await s.fetch('/v1/user-journeys/users', {
    method: 'PUT',
    headers: { 'X-API-Key': 'pk_test_demo' },
  });
  t.is(journeysPut.status, 405);
  t.like(await journeysPut.json(), { status: 'error', code: 405 });

  const trackGet = await s.fetch('/track?verbose=1');
  t.is(trackGet.status, 405);
  t.like(await trackGet.json(), { status: 0 });

  const tooBig = await s.fetch('/v1/user-journeys/events', {
    method: 'POST',
    headers: { 'X-API-Key': 'pk_test_demo', 'Content-Type': 'application/json' },
    body: JSON.stringify({ x: 'y'.repeat(2_000_000) }),
  });
  t.is(tooBig.status, 413);
  t.like(await tooBig.json(), { status: 'error', code: 413 });

  const form = await s.fetch('/getPersonalizedBanner', {
    method: 'POST',
    headers: { Authorization: 'demo-key', 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'a=1',
  });
  t.is(form.status, 415);
  t.like(await form.json(), { code: 'UNSUPPORTED_MEDIA_TYPE' });
});

// The SDK routes answer a body no resend can change with 200 and their `0` (api-family.ts statusFor).
const refusal = (path: string, status: number) => (path.startsWith('/track') ? 200 : status);

test('a body in a Content-Encoding that cannot be decoded is a 400 or 415 (the SDK routes: 200 `0`), never a 500', async (t) => {
  const s = await startTestService(t);
  const whole = gzipSync(Buffer.from(JSON.stringify({ userId: 'u-1' })));
  const cases: [string, Buffer, number][] = [
    ['gzip', whole.subarray(0, whole.length - 6), 400],
    ['gzip', Buffer.from('not gzip at all'), 400],
    ['deflate', Buffer.from('garbage'), 400],
    ['br', Buffer.from('garbage!'), 400],
    ['compress', Buffer.from('x'), 415],
    ['zstd', Buffer.from('x'), 415],
  ];
  for (const path of ['/getPersonalizedBanner', '/track', '/v1/user-journeys/events', '/api/v1/postback']) {
    for (const [encoding, body, status] of cases) {
      const res = await rawRequest(
        s.port,
        httpRequest(
          'POST',
          path,
          {
            Authorization: 'demo-key',
            'X-API-Key': 'pk_test_demo',
            'Content-Type': 'application/json',
            'Content-Encoding': encoding,
          },
          body,
        ),
      );
      t.is(res.status, refusal(path, status), `${path} ${encoding}: ${res.body}`);
      t.notThrows(() => JSON.parse(res.body));
      if (path === '/track') t.is(res.body, '0');
    }
  }
});

test('an unsupported Content-Encoding is 415 UNSUPPORTED_MEDIA_TYPE naming the body in each envelope, not a bare BAD_REQUEST', async (t) => {
  const s = await startTestService(t);
  const json = Buffer.from(JSON.stringify({ userId: 'u-1', offerId: '1' }));
  // inflation throws a plain Error with status 415 (no `type`) for any coding it lacks,
  // uppercase and stacked spellings included.
  for (const encoding of ['compress', 'zstd', 'x-gzip', 'gzip, gzip']) {
    const send = (path: string) =>
      rawRequest(
        s.port,
        httpRequest(
          'POST',
          path,
          {
            Authorization: 'demo-key',
            'X-API-Key': 'pk_test_demo',
            'Content-Type': 'application/json',
            'Content-Encoding': encoding,
          },
          json,
        ),
      );
    const banner = await send('/getPersonalizedBanner');
    t.is(banner.status, 415, encoding);
    t.like(JSON.parse(banner.body), {
      code: 'UNSUPPORTED_MEDIA_TYPE',
      errors: [
        {
          field: 'body',
          message: `has an unsupported Content-Encoding (${encoding}): gzip, deflate, br or identity`,
        },
      ],
    });
    const offerwall = await send('/api/v1/postback');
    t.is(offerwall.status, 415, encoding);
    t.like(JSON.parse(offerwall.body), { status: 'failure', error: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
    const track = await send('/track?verbose=1');
    t.is(track.status, 200, encoding);
    t.like(JSON.parse(track.body), { status: 0 });
    t.regex((JSON.parse(track.body) as { error: string }).error, /body has an unsupported Content-Encoding/);
    const journeys = await send('/v1/user-journeys/events');
    t.is(journeys.status, 415, encoding);
    t.like(JSON.parse(journeys.body), { status: 'error', code: 415, errors: [{ field: 'body' }] });
  }
});

test('a body declared in a charset other than UTF-8 is 415 naming the charset, and nothing is stored; UTF-8 and ASCII spellings pass', async (t) => {
  const s = await startTestService(t);
  const latin1 = Buffer.from('[{"$distinct_id":"cs-1","$set":{"name":"Zo\u00eb"}}]', 'latin1');
  for (const charset of ['iso-8859-1', 'utf-16', 'x-bogus', 'UTF-7']) {
    const res = await s.fetch('/engage?verbose=1', {
      method: 'POST',
      headers: { Authorization: 'demo-key', 'Content-Type': `application/json; charset=${charset}` },
      body: latin1,
    });
    t.is(res.status, 200, charset);
    t.regex(((await res.json()) as { error: string }).error, /body must be sent as UTF-8 \(charset\)/);
    const journeys = await s.fetch('/v1/user-journeys/users', {
      method: 'POST',
      headers: { 'X-API-Key': 'pk_test_demo', 'Content-Type': `application/json; charset=${charset}` },
      body: JSON.stringify({ externalId: 'cs-1' }),
    });
    t.is(journeys.status, 415, charset);
    t.like(await journeys.json(), { status: 'error', code: 415, errors: [{ field: 'body' }] });
  }
  const profile = await s.fetch('/v1/user-journeys/users/cs-1', { headers: { 'X-API-Key': 'pk_test_demo' } });
  t.is(profile.status, 404, 'the refused upsert stored nothing');
  for (const charset of ['utf-8', 'UTF-8', '"utf-8"', 'utf8', 'us-ascii']) {
    const res = await s.fetch('/engage?verbose=1', {
      method: 'POST',
      headers: { Authorization: 'demo-key', 'Content-Type': `application/json; charset=${charset}` },
      body: JSON.stringify([{ $distinct_id: 'cs-2', $set: { name: 'Zoë' } }]),
    });
    t.is(res.status, 200, charset);
  }
});

test('a number literal past what a double holds (1e400) is a 400 naming the field, and nothing is stored', async (t) => {
  const s = await startTestService(t);
  const post = (path: string, headers: Record<string, string>, body: string) =>
    s.fetch(path, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body });
  const journeys = { 'X-API-Key': 'pk_test_demo' };
  const user = await post(
    '/v1/user-journeys/users',
    journeys,
    '{"externalId":"inf-1","metadata":{"a":1e400}}',
  );
  t.is(user.status, 400);
  t.like(await user.json(), {
    code: 400,
    errors: [{ field: 'metadata.a', message: 'is not a finite number' }],
  });
  t.is((await s.fetch('/v1/user-journeys/users/inf-1', { headers: journeys })).status, 404);
  const engage = await post(
    '/engage?verbose=1',
    { Authorization: 'demo-key' },
    '[{"$distinct_id":"inf-1","$set":{"score":-1e400}}]',
  );
  // Refused alone, as a record of a batch (BatchBodies): a 2xx, so the Unity SDK moves on.
  t.is(engage.status, 200);
  t.regex(((await engage.json()) as { error: string }).error, /\[0\] \$set\.score is not a finite number/);
  const banner = await post(
    '/getPersonalizedBanner',
    { Authorization: 'demo-key' },
    '{"userId":"inf-1","offerId":"1","level":1e400}',
  );
  t.is(banner.status, 400);
  t.like(await banner.json(), { code: 'INVALID_INPUT', errors: [{ field: 'level' }] });
});

test('deep nesting is refused at the edge with 400 naming the field, on every JSON endpoint', async (t) => {
  const s = await startTestService(t);
  const deep = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
  const endpoints: [string, Record<string, string>][] = [
    ['/getPersonalizedBanner', { Authorization: 'demo-key' }],
    ['/track?verbose=1', { Authorization: 'demo-key' }],
    ['/v1/user-journeys/events', { 'X-API-Key': 'pk_test_demo' }],
    ['/v1/user-journeys/users', { 'X-API-Key': 'pk_test_demo' }],
    ['/api/v1/postback', {}],
    ['/admin/apps/demo/explain', ADMIN],
    ['/admin/apps/demo/bans', ADMIN],
  ];
  for (const [path, headers] of endpoints) {
    for (const levels of [40, 8_000, 100_000]) {
      const res = await s.fetch(path, {
        method: 'POST',
        headers: { ...headers, 'Content-Type': 'application/json' },
        body: deep(levels),
      });
      t.is(res.status, refusal(path, 400), `${path} at ${levels} levels`);
      // A batch route reads twice the records' nesting before parsing (BatchBodies): its
      // records are held to 32 levels one by one, the text to 64.
      const bound = path.startsWith('/track') && levels > 64 ? 64 : 32;
      t.regex(JSON.stringify(await res.json()), new RegExp(`nested deeper than ${bound} levels`));
    }
  }
  // Without a token the admin guard answers first.
  const anon = await s.fetch('/admin/apps/demo/explain', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: deep(8_000),
  });
  t.is(anon.status, 401);
  // Metadata nested within the bound still works, and the service is fine after all this.
  t.is((await s.fetch('/healthz')).status, 200);
});

test('headers too large get a JSON 431; a request line that is not HTTP gets a JSON 400', async (t) => {
  const s = await startTestService(t);
  const big = await rawRequest(s.port, httpRequest('GET', '/healthz', { 'X-Big': 'x'.repeat(20_000) }));
  t.is(big.status, 431);
  t.like(JSON.parse(big.body), { error: { code: 'HEADERS_TOO_LARGE' } });
  const garbage = await rawRequest(s.port, 'HELLO THERE\r\n\r\n');
  t.is(garbage.status, 400);
  t.like(JSON.parse(garbage.body), { error: { code: 'BAD_REQUEST' } });
});

test("headers too large on an API's path get that API's envelope; on another path, or without a readable request line, the neutral one", async (t) => {
  const s = await startTestService(t);
  const big = { 'X-Big': 'x'.repeat(20_000) };
  for (const path of [
    '/v1/user-journeys/events',
    '/v1/user-journeys/users/ada?x=1',
    '/v1/user-journeys/nope',
  ]) {
    const res = await rawRequest(s.port, httpRequest('POST', path, big));
    t.is(res.status, 431, path);
    t.deepEqual(
      JSON.parse(res.body),
      { message: 'request headers are too large', code: 431, status: 'error' },
      `${path}: GamifyHost's envelope`,
    );
  }
  const track = await rawRequest(s.port, httpRequest('POST', '/track?verbose=1', big));
  t.is(track.status, 431);
  t.deepEqual(JSON.parse(track.body), { status: 0, error: 'request headers are too large' });
  for (const path of ['/healthz', '/no/such/path']) {
    const res = await rawRequest(s.port, httpRequest('GET', path, big));
    t.is(res.status, 431, path);
    t.deepEqual(JSON.parse(res.body), {
      error: { code: 'HEADERS_TOO_LARGE', message: 'request headers are too large' },
    });
  }
  // The head in two writes: the chunk the parser fails in has no request line to read.
  const head = httpRequest('GET', '/v1/user-journeys/events', big);
  const split = await new Promise<string>((resolve, reject) => {
    const socket = connect(s.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.write(head.subarray(0, 100));
    setTimeout(() => socket.write(head.subarray(100)), 200);
  });
  t.regex(split, /^HTTP\/1\.1 431 /);
  t.deepEqual(JSON.parse(split.slice(split.indexOf('\r\n\r\n') + 4)), {
    error: { code: 'HEADERS_TOO_LARGE', message: 'request headers are too large' },
  });
});

test('an Expect the server cannot meet gets a 417 in the envelope of the API whose path it names', async (t) => {
  const s = await startTestService(t);
  const expect = { Expect: 'something-else', 'Content-Type': 'application/json' };
  const journeys = await rawRequest(s.port, httpRequest('POST', '/v1/user-journeys/events', expect, '{}'));
  t.is(journeys.status, 417);
  t.deepEqual(JSON.parse(journeys.body), {
    message: 'only Expect: 100-continue is supported',
    code: 417,
    status: 'error',
  });
  const track = await rawRequest(s.port, httpRequest('POST', '/track?verbose=1', expect, '[]'));
  t.is(track.status, 417);
  t.deepEqual(JSON.parse(track.body), { status: 0, error: 'only Expect: 100-continue is supported' });
  const other = await rawRequest(s.port, httpRequest('POST', '/no/such/path', expect, '{}'));
  t.is(other.status, 417);
  t.deepEqual(JSON.parse(other.body), {
    error: { code: 'EXPECTATION_FAILED', message: 'only Expect: 100-continue is supported' },
  });
});

test('a body that does not arrive in time gets a JSON 408', async (t) => {
  const s = await startTestService(t, { httpTimeouts: { headersMs: 1_000, requestMs: 1_000 } });
  const started = Date.now();
  const res = await rawRequest(
    s.port,
    'POST /getPersonalizedBanner HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: demo-key\r\n' +
      'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"userId":',
    30_000,
  );
  t.is(res.status, 408);
  t.like(JSON.parse(res.body), { error: { code: 'REQUEST_TIMEOUT' } });
  // The server ended it, well before the client's own 30 s: not a speed bound (a loaded host
  // took over 5 s once in a full CI run next to the fuzz suite, 9.9 s once beside three suites).
  const tookMs = Date.now() - started;
  t.true(tookMs < 25_000, `${tookMs} ms`);
});

test('admin explain refuses a state it cannot evaluate with a 400 naming it, never a 500 (found by the fuzz suite)', async (t) => {
  const s = await startTestService(t);
  const explain = (body: unknown) =>
    s.fetch('/admin/apps/demo/explain', {
      method: 'POST',
      headers: { ...ADMIN, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  const request = { userId: 'u-1', offerId: '8622' };
  for (const state of ['\u0000', [], 1, { assignments: 'x' }, { events: [null] }, { firstSeenAt: {} }]) {
    const res = await explain({ api: 'banner', request, state, now: '2026-11-20T12:00:00Z' });
    t.is(res.status, 400, JSON.stringify(state));
    t.like(await res.json(), { error: { code: 'INVALID_INPUT', fields: [{ field: 'state' }] } });
  }
  const ok = await explain({ api: 'banner', request, state: {}, now: '2026-11-20T12:00:00Z' });
  t.is(ok.status, 200);
});

test('a Content-Encoding is read in any case: GZIP is gzip', async (t) => {
  const s = await startTestService(t);
  const body = gzipSync(
    Buffer.from(JSON.stringify({ userId: 'u-gzip', offerId: '8622', countryIso2: 'DE' })),
  );
  for (const encoding of ['GZIP', 'Gzip']) {
    const res = await rawRequest(
      s.port,
      httpRequest(
        'POST',
        '/getPersonalizedBanner',
        { Authorization: 'demo-key', 'Content-Type': 'application/json', 'Content-Encoding': encoding },
        body,
      ),
    );
    t.is(res.status, 200, `${encoding}: ${res.body}`);
    t.like(JSON.parse(res.body), { kibotuMetadata: { userId: 'u-gzip' } });
  }
});

test('a body in a transfer coding other than chunked is a 501 in the API’s envelope, and nothing is stored', async (t) => {
  const s = await startTestService(t);
  const event = JSON.stringify({ externalId: 'te-1', eventType: 'GAME_PLAY', category: 'GAME_PLAY' });
  const chunked = `${event.length.toString(16)}\r\n${event}\r\n0\r\n\r\n`;
  const request = (coding: string) =>
    'POST /v1/user-journeys/events HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-API-Key: pk_test_demo\r\n' +
    `Content-Type: application/json\r\nTransfer-Encoding: ${coding}\r\n\r\n${chunked}`;
  // Node undoes `chunked` only: the body of `gzip, chunked` reached the route as plain JSON.
  const gz = await rawRequest(s.port, request('gzip, chunked'));
  t.is(gz.status, 501, gz.body);
  t.like(JSON.parse(gz.body), { code: 501, status: 'error' });
  const user = await s.fetch('/v1/user-journeys/users/te-1', { headers: { 'X-API-Key': 'pk_test_demo' } });
  t.is(user.status, 404, 'the event was not stored (nor its user created)');
  const plain = await rawRequest(s.port, request('Chunked'));
  t.is(plain.status, 201, plain.body);
});

test('CONNECT gets a JSON 405: offerd is no proxy', async (t) => {
  const s = await startTestService(t);
  const res = await rawRequest(s.port, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
  t.is(res.status, 405);
  t.deepEqual(JSON.parse(res.body), {
    error: { code: 'METHOD_NOT_ALLOWED', message: 'CONNECT is not allowed: offerd is not a proxy' },
  });
});

test('a 501 for a transfer coding is the client’s doing: no error line with a stack in the log', async (t) => {
  const svc = await startOfferdProcess({ LOG_LEVEL: 'info' });
  t.teardown(() => svc.stop());
  const port = Number(new URL(svc.url).port);
  const body = '{"externalId":"te-log"}';
  const res = await rawRequest(
    port,
    'POST /v1/user-journeys/users HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-API-Key: pk_test_demo\r\n' +
      `Content-Type: application/json\r\nTransfer-Encoding: gzip, chunked\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
  );
  t.is(res.status, 501);
  // The request's own log line (info) is written once the response is: wait for it.
  for (let i = 0; i < 50 && !svc.output().includes('"status":501'); i++) await sleep(50);
  t.true(svc.output().includes('"status":501'), svc.output());
  t.false(svc.output().includes('"level":50'), svc.output());
});

test('a request answered before its body arrived gets that one answer: no unasked-for 408 when the body keeps trickling', async (t) => {
  const s = await startTestService(t, { httpTimeouts: { headersMs: 1_000, requestMs: 1_000 } });
  const socket = connect(s.port, '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (d: Buffer) => chunks.push(d));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  // Admin refuses a missing token before reading the body (a 401 at once), on a kept-alive connection.
  socket.write(
    'POST /admin/rules/reload HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{',
  );
  // The body keeps coming, slowly, past the request timeout.
  for (let i = 0; i < 15 && !socket.destroyed; i++) {
    await sleep(200);
    socket.write(' ');
  }
  await Promise.race([closed, sleep(3_000)]);
  socket.destroy();
  const text = Buffer.concat(chunks).toString('latin1');
  const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
  // The old code answered twice: 401, then a 408 for the same request.
  t.deepEqual(statuses, [401]);
});
