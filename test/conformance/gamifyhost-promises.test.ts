/**
 * One test per documented promise of the GamifyHost-compatible API, each naming the
 * GamifyHost docs page it comes from (overview, authentication, track-user, get-user,
 * get-timeline, get-offers, claim-offer: the get-offers page is in our seeds verbatim,
 * the others as recovered in the contract notes) or the Flutter SDK file
 * (gamifyhost/gamifyhost-flutter lib/src/gamifyhost_api.dart: every body goes through
 * `jsonDecode(...) as Map<String, dynamic>`, errors read `body['message'] as String?`).
 * The pages' curl and fetch examples are replayed with their own headers and bodies.
 */
import test from 'ava';
import { hashApiKey } from '../../src/config/api-key.js';
import type { AppConfig } from '../../src/config/config-types.js';
import {
  DAY,
  type JourneysTestService,
  type JsonResponse,
  LIVE_KEY,
  plays,
  startJourneysService,
  TEST_KEY,
} from '../helpers/journeys-service.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** The docs' `fetch(url, { headers: { 'X-API-Key': key } })` then `response.json()`. */
async function docsFetch(
  s: JourneysTestService,
  path: string,
  init: RequestInit = {},
): Promise<Pick<JsonResponse, 'status' | 'body'>> {
  const res = await s.fetch(`/v1/user-journeys${path}`, init);
  return { status: res.status, body: await res.json() };
}

/** The track-user page's curl: POST /users with its JSON body and both headers. */
function trackUser(s: JourneysTestService, body: unknown, key = TEST_KEY) {
  return docsFetch(s, '/users', {
    method: 'POST',
    headers: { 'X-API-Key': key, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

const PROFILE_STRINGS = ['id', 'externalId', 'displayName', 'email', 'phone', 'country', 'device', 'source'];

test('gamifyhost authentication page: the four auth errors, exact messages, in the error envelope', async (t) => {
  const revoked = {
    id: 'r',
    hash: hashApiKey('pk_test_revoked'),
    apis: ['journeys' as const],
    environment: 'test' as const,
    revoked: true,
  };
  const apps = (list: AppConfig[]): AppConfig[] => {
    const [demo, ...rest] = list;
    if (!demo) throw new Error('no demo app');
    const off: AppConfig = {
      ...demo,
      id: 'off',
      status: 'disabled',
      walls: [],
      keys: [{ ...revoked, id: 'off', hash: hashApiKey('pk_test_off'), revoked: false }],
    };
    return [{ ...demo, keys: [...demo.keys, revoked] }, off, ...rest];
  };
  const s = await startJourneysService(t, { apps });
  const cases: [Record<string, string>, number, string][] = [
    [{}, 401, 'Missing X-API-Key header'],
    [{ 'X-API-Key': 'pk_live_your_public_key' }, 401, 'Invalid API key'],
    [{ 'X-API-Key': 'pk_test_revoked' }, 403, 'API key has been revoked'],
    [{ 'X-API-Key': 'pk_test_off' }, 403, 'Application is not active'],
  ];
  for (const [headers, code, message] of cases) {
    const reply = await docsFetch(s, '/users/user_12345/offers', { headers });
    t.is(reply.status, code, message);
    t.deepEqual(reply.body, { message, code, status: 'error' });
  }
});

test('gamifyhost authentication page: pk_live_ and pk_test_ keys see fully isolated data', async (t) => {
  const s = await startJourneysService(t);
  t.is((await trackUser(s, { externalId: 'user_12345' }, TEST_KEY)).status, 200);
  const live = await docsFetch(s, '/users/user_12345', { headers: { 'X-API-Key': LIVE_KEY } });
  t.is(live.status, 404);
  t.deepEqual(live.body, { message: 'User not found', code: 404, status: 'error' });
  t.is((await trackUser(s, { externalId: 'user_12345' }, LIVE_KEY)).body.data.environment, 'LIVE');
  t.is(
    (await docsFetch(s, '/users/user_12345', { headers: { 'X-API-Key': TEST_KEY } })).body.data.environment,
    'TEST',
  );
});

test('gamifyhost track-user page: POST /users answers 200 OK with the profile, on create and on update', async (t) => {
  const s = await startJourneysService(t);
  const body = {
    externalId: 'user_12345',
    displayName: 'John Doe',
    email: 'john@example.com',
    phone: '+2348012345678',
    country: 'NG',
    device: 'mobile',
    source: 'organic',
    tags: { vip: true },
    metadata: { plan: 'gold' },
  };
  const created = await trackUser(s, body);
  t.is(created.status, 200);
  t.is(created.body.status, 'success');
  t.like(created.body.data, { ...body, environment: 'TEST', partnerId: 'demo' });
  const updated = await trackUser(s, { externalId: 'user_12345', displayName: 'Johnny' });
  t.is(updated.status, 200);
  t.is(updated.body.data.displayName, 'Johnny');
  t.is(updated.body.data.id, created.body.data.id, 'an upsert by externalId');
});

test('gamifyhost track-user page: a bad body is 400 "Invalid request body" (our errors[] beside it), and changes nothing', async (t) => {
  const s = await startJourneysService(t);
  const bad = await trackUser(s, {
    externalId: 'user_bad',
    phone: '1'.repeat(21),
    device: 'fridge',
    country: 'Nigeria',
  });
  t.is(bad.status, 400);
  t.like(bad.body, { message: 'Invalid request body', code: 400, status: 'error' });
  const fields = (bad.body.errors as { field: string }[]).map((e) => e.field).sort();
  t.deepEqual(fields, ['country', 'device', 'phone']);
  t.is((await docsFetch(s, '/users/user_bad', { headers: { 'X-API-Key': TEST_KEY } })).status, 404);
  const notJson = await docsFetch(s, '/users', {
    method: 'POST',
    headers: { 'X-API-Key': TEST_KEY, 'Content-Type': 'application/json' },
    body: '{"externalId": ',
  });
  t.is(notJson.status, 400);
  t.like(notJson.body, { message: 'Invalid request body', code: 400, status: 'error' });
});

test('gamifyhost get-user page + Flutter SDK: every documented field, strings never null, LIVE/TEST and partnerId', async (t) => {
  const s = await startJourneysService(t);
  await trackUser(s, { externalId: 'bare' });
  const { status, body } = await docsFetch(s, '/users/bare', { headers: { 'X-API-Key': TEST_KEY } });
  t.is(status, 200);
  const p = body.data;
  for (const field of PROFILE_STRINGS) t.is(typeof p[field], 'string', `${field} is a String`);
  t.is(p.displayName, '');
  t.like(p, { externalId: 'bare', environment: 'TEST', partnerId: 'demo', lifecycleStage: 'new' });
  t.regex(p.firstSeenAt, ISO);
  t.regex(p.lastSeenAt, ISO);
  for (const n of [
    'engagementScore',
    'totalPlays',
    'plays7d',
    'plays30d',
    'pointsEarned7d',
    'pointsEarned30d',
    'campaignsJoined',
    'winRate',
    'totalEvents',
  ]) {
    t.is(typeof p[n], 'number', n);
  }
  t.true(['casual', 'regular', 'power_user', 'whale'].includes(p.engagementTier));
  t.deepEqual([typeof p.tags, typeof p.metadata], ['object', 'object']);
  t.true(Array.isArray(p.recommendations));
  for (const r of p.recommendations)
    t.deepEqual([typeof r.priority, typeof r.name, typeof r.reason].slice(1), ['string', 'string']);
});

test('gamifyhost get-timeline page: events paged (page 1, limit 20 by default, at most 100), each with the documented fields', async (t) => {
  const s = await startJourneysService(t);
  const track = await docsFetch(s, '/track', {
    method: 'POST',
    headers: { 'X-API-Key': TEST_KEY, 'Content-Type': 'application/json' },
    body: JSON.stringify({ events: plays('user_12345', 25, s.clock) }),
  });
  t.true(track.status === 200 || track.status === 201);
  const page = await docsFetch(s, '/users/user_12345/timeline', { headers: { 'X-API-Key': TEST_KEY } });
  t.is(page.status, 200);
  t.like(page.body.data, { page: 1, total: 25 });
  t.is(page.body.data.events.length, 20);
  for (const e of page.body.data.events) {
    t.like(e, {
      externalId: 'user_12345',
      environment: 'TEST',
      partnerId: 'demo',
      category: 'GAME_PLAY',
      eventType: 'spin',
      points: 10,
    });
    t.regex(e.id, UUID);
    t.regex(e.occurredAt, ISO);
    t.is(typeof e.clientEventId, 'string');
  }
  const second = await docsFetch(s, '/users/user_12345/timeline?page=2&limit=20', {
    headers: { 'X-API-Key': TEST_KEY },
  });
  t.is(second.body.data.events.length, 5);
  const tooMany = await docsFetch(s, '/users/user_12345/timeline?limit=101', {
    headers: { 'X-API-Key': TEST_KEY },
  });
  t.is(tooMany.status, 400);
  t.like(tooMany.body, { message: 'Invalid request body', code: 400, status: 'error' });
});

test('gamifyhost get-offers page: the curl and fetch examples get {status, data: {offers}} with the documented offer fields', async (t) => {
  const s = await startJourneysService(t);
  await trackUser(s, { externalId: 'user_12345', displayName: 'Ada' }, LIVE_KEY);
  await s.api('POST', '/track', { key: LIVE_KEY, body: { events: plays('user_12345', 2, s.clock) } });
  t.is((await s.generate('live')).status, 200);
  // curl https://…/users/user_12345/offers -H "X-API-Key: pk_live_…", and the page's fetch().
  const { status, body } = await docsFetch(s, '/users/user_12345/offers', {
    headers: { 'X-API-Key': LIVE_KEY },
  });
  t.is(status, 200);
  t.is(body.status, 'success');
  const offers = body.data.offers as Record<string, unknown>[];
  t.true(offers.length > 0);
  for (const o of offers) {
    t.regex(String(o.id), UUID);
    t.is(o.externalId, 'user_12345');
    for (const f of ['offerType', 'gameType', 'title', 'description']) t.is(typeof o[f], 'string', f);
    t.true(Number.isInteger(o.pointsValue));
    t.is(o.status, 'active');
    t.regex(String(o.expiresAt), ISO);
    t.is(o.claimedAt, null);
    t.is(typeof o.metadata, 'object');
  }
});

test('gamifyhost get-offers page: at most 3 active offers, never two of one type, none for players inactive > 60 days', async (t) => {
  const s = await startJourneysService(t);
  // Last seen 61 days before the run (a profile's creation is activity, so the clock moves).
  await s.api('POST', '/track', { body: { events: plays('gone', 3, s.clock) } });
  s.clock.advance(61 * DAY);
  // A whale active today qualifies for several types at once.
  await s.api('POST', '/track', { body: { events: plays('busy', 60, s.clock) } });
  await s.generate('test');
  await s.generate('test');
  const busy = (await s.api('GET', '/users/busy/offers')).body.data.offers as { offerType: string }[];
  t.true(busy.length >= 1 && busy.length <= 3, `${busy.length} active offers`);
  t.is(new Set(busy.map((o) => o.offerType)).size, busy.length);
  t.deepEqual((await s.api('GET', '/users/gone/offers')).body.data.offers, []);
});

test('gamifyhost claim-offer page: 200 claimed with claimedAt, an offer_claimed event worth pointsValue; 400/404 with the documented messages', async (t) => {
  const s = await startJourneysService(t);
  await s.api('POST', '/track', { body: { events: plays('claimer', 2, s.clock) } });
  await s.generate('test');
  const [offer] = (await s.api('GET', '/users/claimer/offers')).body.data.offers;
  const claim = () =>
    docsFetch(s, `/users/claimer/offers/${offer.id}/claim`, {
      method: 'POST',
      headers: { 'X-API-Key': TEST_KEY },
    });
  const first = await claim();
  t.is(first.status, 200);
  t.like(first.body, { status: 'success', data: { offer: { id: offer.id, status: 'claimed' } } });
  t.regex(first.body.data.offer.claimedAt, ISO);
  const timeline = await s.api('GET', '/users/claimer/timeline');
  const claimed = timeline.body.data.events.find(
    (e: { eventType: string }) => e.eventType === 'offer_claimed',
  );
  t.is(claimed?.points, offer.pointsValue);
  t.deepEqual((await claim()).body, { message: 'Offer is no longer active', code: 400, status: 'error' });
  const unknown = await docsFetch(s, '/users/claimer/offers/00000000-0000-4000-8000-000000000000/claim', {
    method: 'POST',
    headers: { 'X-API-Key': TEST_KEY },
  });
  t.deepEqual(unknown, { status: 404, body: { message: 'Offer not found', code: 404, status: 'error' } });
  // Another user's offer is "not found" too.
  const other = await docsFetch(s, `/users/someone-else/offers/${offer.id}/claim`, {
    method: 'POST',
    headers: { 'X-API-Key': TEST_KEY },
  });
  t.is(other.status, 404);
});

test('gamifyhost claim-offer page: an offer past expiresAt is 400 "Offer has expired"', async (t) => {
  const s = await startJourneysService(t);
  await s.api('POST', '/track', { body: { events: plays('late', 2, s.clock) } });
  await s.generate('test');
  const [offer] = (await s.api('GET', '/users/late/offers')).body.data.offers;
  s.clock.advance(Date.parse(offer.expiresAt) - s.clock.now().getTime() + 1000);
  const claim = await docsFetch(s, `/users/late/offers/${offer.id}/claim`, {
    method: 'POST',
    headers: { 'X-API-Key': TEST_KEY },
  });
  t.deepEqual(claim, { status: 400, body: { message: 'Offer has expired', code: 400, status: 'error' } });
});

test('gamifyhost overview page: lifecycle stages by days unseen (at_risk 14–30, churned > 30; 7–14 stays active)', async (t) => {
  const s = await startJourneysService(t);
  for (const id of ['d10', 'd20', 'd40'])
    await s.api('POST', '/track', { body: { events: plays(id, 5, s.clock) } });
  const stage = async (id: string) => (await s.api('GET', `/users/${id}`)).body.data.lifecycleStage;
  s.clock.advance(10 * DAY);
  t.is(
    await stage('d10'),
    'active',
    '10 days unseen: the docs leave 7–14 days undefined, offerd says active',
  );
  s.clock.advance(10 * DAY);
  t.is(await stage('d20'), 'at_risk');
  s.clock.advance(20 * DAY);
  t.is(await stage('d40'), 'churned');
  // Re-identifying a player (POST /users) is activity.
  await trackUser(s, { externalId: 'd40' });
  t.not(await stage('d40'), 'churned');
});

test('gamifyhost overview page: a new player whose backdated history is imported is not churned', async (t) => {
  const s = await startJourneysService(t);
  await trackUser(s, { externalId: 'importer' });
  await s.api('POST', '/track', { body: { events: plays('importer', 3, s.clock, 90) } });
  const p = (await s.api('GET', '/users/importer')).body.data;
  t.not(p.lifecycleStage, 'churned');
  t.is(Date.parse(p.lastSeenAt), s.clock.now().getTime(), 'old history never moves lastSeenAt back');
});

test('gamifyhost Flutter SDK gamifyhost_api.dart: every error reply is a JSON object with a message', async (t) => {
  const s = await startJourneysService(t);
  const replies = [
    await s.fetch('/v1/user-journeys/no-such-endpoint', { headers: { 'X-API-Key': TEST_KEY } }),
    await s.fetch('/v1/user-journeys/users/x', { method: 'DELETE', headers: { 'X-API-Key': TEST_KEY } }),
    await s.fetch('/v1/user-journeys/users', {
      method: 'POST',
      headers: { 'X-API-Key': TEST_KEY, 'Content-Type': 'text/plain' },
      body: 'hello',
    }),
  ];
  for (const res of replies) {
    t.true(res.status >= 400, String(res.status));
    const body = JSON.parse(await res.text()) as { message?: unknown; code?: unknown; status?: unknown };
    t.is(typeof body.message, 'string', `${res.status}`);
    t.like(body, { code: res.status, status: 'error' });
  }
});
