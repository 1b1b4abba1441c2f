import test from 'ava';
import { demoCatalog, type PersonalizedJson, startOfferwall } from '../helpers/offerwall-service.js';

const P = (q: string, uid = 'u-1') => `/api/v1/users/${uid}/personalized?${q}`;
const catalog = demoCatalog();
const byId = new Map(catalog.map((o) => [o.offer_id, o]));

test('numoffers=10: at most 10 offers, best first, hot_offers_order 1..n, total before the cut', async (t) => {
  const h = await startOfferwall(t);
  const { res, body } = await h.json<PersonalizedJson>(
    P('wall=1001&numoffers=10&ip=5.9.0.1&experiment_id=exp-7'),
  );
  t.is(res.status, 200);
  t.like(body, {
    status: 'success',
    publisher_id: 1,
    wall_id: 1001,
    offset: 0,
    experiment_id: 'exp-7',
    bid_floor: null,
  });
  t.true(body.offers.length <= 10 && body.offers.length > 0);
  t.is(body.limit, body.offers.length);
  t.true(body.total >= body.limit);
  t.true(body.total > 10, 'the demo wall has more eligible offers than asked for');
  t.deepEqual(
    body.offers.map((o) => o.hot_offers_order),
    body.offers.map((_, i) => i + 1),
  );
  for (let i = 1; i < body.offers.length; i++) {
    t.true((body.offers[i - 1]?.score ?? 0) >= (body.offers[i]?.score ?? 0), 'descending score');
  }
  t.is(String(body.support_id), res.headers.get('x-request-id') ?? '');
  t.regex(res.headers.get('x-rules-version') ?? '', /^demo;version=.*offerwall:1.*;hash=[0-9a-f]{12}$/);
  t.is(res.headers.get('access-control-allow-origin'), '*');
  t.is(res.headers.get('cache-control'), 'no-store');
  const first = body.offers[0];
  t.like(first, { eligible: true, in_progress: false, user_completed: false, user_status: null });
  for (const key of [
    'offer_name',
    'headline',
    'description',
    'offer_terms',
    'label',
    'category',
    'payout',
    'events',
    'epc',
    'tracking_delay',
    'creatives',
    'attribution_window_days',
  ]) {
    t.true(first !== undefined && key in first, `offer has ${key}`);
  }
  t.false(first !== undefined && 'sortmetric' in first);
});

test('the same request ranks the same way, ties broken by offer id', async (t) => {
  const h = await startOfferwall(t);
  const a = await h.json<PersonalizedJson>(P('wall=1001&numoffers=500&ip=5.9.0.1'));
  const b = await h.json<PersonalizedJson>(P('wall=1001&numoffers=500&ip=5.9.0.1'));
  t.deepEqual(
    a.body.offers.map((o) => o.offer_id),
    b.body.offers.map((o) => o.offer_id),
  );
  for (let i = 1; i < a.body.offers.length; i++) {
    const [x, y] = [a.body.offers[i - 1], a.body.offers[i]];
    if (x && y && x.score === y.score) t.true(x.offer_id < y.offer_id);
  }
});

test('ip=5.9.0.1 (Germany) returns only offers that target Germany, and no gambling (demo rule)', async (t) => {
  const h = await startOfferwall(t);
  const { body } = await h.json<PersonalizedJson>(P('wall=1001&numoffers=500&ip=5.9.0.1'));
  t.true(body.offers.length > 20);
  for (const o of body.offers) {
    t.true(
      o.countries.length === 0 || o.countries.includes('DE'),
      `offer ${o.offer_id} targets ${o.countries}`,
    );
    t.deepEqual(byId.get(o.offer_id)?.countries, o.countries);
    t.false([1, 11].includes(o.offer_type), 'no-gambling-in-dach');
  }
  const us = await h.json<PersonalizedJson>(P('wall=1001&numoffers=500&ip=8.8.8.8'));
  t.true(
    us.body.offers.some((o) => !o.countries.includes('DE')),
    'a US caller sees offers Germany does not',
  );
  t.true(us.body.offers.every((o) => o.countries.includes('US')));
  t.true(
    us.body.offers.every((o) => ![0, 9, 10].includes(o.offer_type)),
    'no mature, no Undefined in the US',
  );
});

test('device=ios hides Android-only offers; android shows them', async (t) => {
  const h = await startOfferwall(t);
  const ios = await h.json<PersonalizedJson>(P('wall=1001&numoffers=500&ip=8.8.8.8&device=ios'));
  t.true(ios.body.offers.length > 0);
  t.false(ios.body.offers.some((o) => o.platform === 'android' || o.platform === 'desktop'));
  const android = await h.json<PersonalizedJson>(P('wall=1001&numoffers=500&ip=8.8.8.8&device=android'));
  t.true(android.body.offers.some((o) => o.platform === 'android'));
  const all = await h.json<PersonalizedJson>(P('wall=1001&numoffers=500&ip=8.8.8.8'));
  t.true(all.body.total > ios.body.total);
});

test('a user agent stands in for device when none is given', async (t) => {
  const h = await startOfferwall(t);
  const ua = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148';
  const { body } = await h.json<PersonalizedJson>(P('wall=1001&numoffers=500&ip=8.8.8.8'), {
    headers: { 'User-Agent': ua },
  });
  t.true(body.offers.length > 0);
  t.true(body.offers.every((o) => o.platform === null || o.platform === 'ios'));
});

test('os_version below an offer minimum hides it', async (t) => {
  const h = await startOfferwall(t);
  const low = await h.json<PersonalizedJson>(
    P('wall=1001&numoffers=500&ip=8.8.8.8&device=ios&os_version=14.0'),
  );
  const high = await h.json<PersonalizedJson>(
    P('wall=1001&numoffers=500&ip=8.8.8.8&device=ios&os_version=18'),
  );
  const needsNewer = high.body.offers.filter((o) => Number(byId.get(o.offer_id)?.min_os_version ?? 0) > 14);
  t.true(needsNewer.length > 0);
  const lowIds = new Set(low.body.offers.map((o) => o.offer_id));
  for (const o of needsNewer) t.false(lowIds.has(o.offer_id));
});

test('bid_floor drops offers whose user reward is below it', async (t) => {
  const h = await startOfferwall(t);
  const all = await h.json<PersonalizedJson>(P('wall=1001&numoffers=500&ip=8.8.8.8'));
  const floored = await h.json<PersonalizedJson>(P('wall=1001&numoffers=500&ip=8.8.8.8&bid_floor=1500'));
  t.is(floored.body.bid_floor, 1500);
  t.true(floored.body.offers.length > 0);
  t.true(floored.body.offers.every((o) => o.total_user_reward >= 1500));
  t.true(all.body.offers.some((o) => o.total_user_reward < 1500));
  t.true(floored.body.total < all.body.total);
});

test('include_sortmetric=true adds sortmetric and conversion_rate; score = sortmetric + segment boosts', async (t) => {
  const h = await startOfferwall(t);
  const { body } = await h.json<PersonalizedJson>(
    P('wall=1001&numoffers=500&ip=8.8.8.8&include_sortmetric=true'),
  );
  for (const o of body.offers) {
    t.is(typeof o.sortmetric, 'number');
    t.is(o.conversion_rate, byId.get(o.offer_id)?.conversion_rate);
    // A new user (no completions) gets the demo's newcomers-start-easy boost on sign-ups and surveys only.
    const boost = [3, 6].includes(o.offer_type) ? 0.15 : 0;
    t.is(Math.round((o.score - (o.sortmetric ?? 0)) * 1e6) / 1e6, boost, `offer ${o.offer_id}`);
  }
});

test('click_url is offerd click endpoint, carrying uid, wall, offer, sid3, expiry and a signature', async (t) => {
  const h = await startOfferwall(t);
  const { body } = await h.json<PersonalizedJson>(
    P('wall=1001&numoffers=1&ip=8.8.8.8&sid3=sess-42', 'player 7'),
  );
  const url = new URL(body.offers[0]?.click_url ?? '');
  t.is(`${url.protocol}//${url.host}`, h.base);
  t.is(url.pathname, '/api/v1/click');
  t.like(Object.fromEntries(url.searchParams), { wall: '1001', uid: 'player 7', sid3: 'sess-42' });
  t.is(url.searchParams.get('offer'), String(body.offers[0]?.offer_id));
  t.regex(url.searchParams.get('exp') ?? '', /^[0-9]{10}$/);
  t.regex(url.searchParams.get('sig') ?? '', /^[0-9a-f]{64}$/);
});

test('404 WALL_NOT_FOUND for an unknown wall, NO_ELIGIBLE_OFFERS when nothing is eligible', async (t) => {
  const h = await startOfferwall(t);
  const wall = await h.json<PersonalizedJson>(P('wall=999&numoffers=5&ip=8.8.8.8'));
  t.is(wall.res.status, 404);
  t.like(wall.body, { status: 'failure', error: { code: 'WALL_NOT_FOUND' } });
  t.is(typeof wall.body.support_id, 'number');
  // No demo offer targets the Netherlands.
  const none = await h.json<PersonalizedJson>(P('wall=1001&numoffers=5&ip=2.16.0.1'));
  t.is(none.res.status, 404);
  t.like(none.body, { status: 'failure', error: { code: 'NO_ELIGIBLE_OFFERS' } });
  t.truthy(none.res.headers.get('x-rules-version'), 'the snapshot was read');
});

const INVALID: [string, string, string][] = [
  ['missing wall', 'numoffers=5', 'wall'],
  ['missing numoffers', 'wall=1001', 'numoffers'],
  ['numoffers 0', 'wall=1001&numoffers=0', 'numoffers'],
  ['numoffers 501', 'wall=1001&numoffers=501', 'numoffers'],
  ['numoffers not an integer', 'wall=1001&numoffers=2.5', 'numoffers'],
  ['wall not an integer', 'wall=abc&numoffers=5', 'wall'],
  ['wall a decimal', 'wall=1001.5&numoffers=5', 'wall'],
  ['device=mobile', 'wall=1001&numoffers=5&device=mobile', 'device'],
  ['bad IPv4', 'wall=1001&numoffers=5&ip=300.1.1.1', 'ip'],
  ['IPv6 for ip', 'wall=1001&numoffers=5&ip=2001:db8::1', 'ip'],
  ['non-numeric os_version', 'wall=1001&numoffers=5&os_version=seventeen', 'os_version'],
  ['non-numeric bid_floor', 'wall=1001&numoffers=5&bid_floor=lots', 'bid_floor'],
  ['non-boolean include_sortmetric', 'wall=1001&numoffers=5&include_sortmetric=yes', 'include_sortmetric'],
  ['wall given twice', 'wall=1001&wall=1002&numoffers=5', 'wall'],
];

for (const [name, query, param] of INVALID) {
  test(`400 INVALID_PARAMETER naming the parameter: ${name}`, async (t) => {
    const h = await startOfferwall(t);
    const { res, body } = await h.json<PersonalizedJson>(P(query));
    t.is(res.status, 400);
    t.is(body.status, 'failure');
    t.is(body.error?.code, 'INVALID_PARAMETER');
    t.true(body.error?.message.includes(param), body.error?.message);
    t.deepEqual(
      body.error?.fields?.map((f) => f.field),
      [param],
    );
    t.is(String(body.support_id), res.headers.get('x-request-id') ?? '');
    t.is(res.headers.get('access-control-allow-origin'), '*');
  });
}

test('400 for a uid that is not ASCII', async (t) => {
  const h = await startOfferwall(t);
  const { res, body } = await h.json<PersonalizedJson>(
    P('wall=1001&numoffers=5', encodeURIComponent('jörg')),
  );
  t.is(res.status, 400);
  t.is(body.error?.fields?.[0]?.field, 'uid');
});

test('CORS preflight is open for client-side calls', async (t) => {
  const h = await startOfferwall(t);
  const res = await h.get(P('wall=1001&numoffers=5'), {
    method: 'OPTIONS',
    headers: { Origin: 'https://game.example', 'Access-Control-Request-Method': 'GET' },
  });
  t.is(res.status, 204);
  t.is(res.headers.get('access-control-allow-origin'), '*');
  t.regex(res.headers.get('access-control-allow-methods') ?? '', /GET/);
});

test('X-Forwarded-For counts only from a trusted proxy', async (t) => {
  const plain = await startOfferwall(t);
  const spoofed = await plain.json<PersonalizedJson>(P('wall=1001&numoffers=5'), {
    headers: { 'X-Forwarded-For': '5.9.0.1' },
  });
  // 127.0.0.1 has no country, so no country-targeted offer is eligible.
  t.is(spoofed.body.error?.code, 'NO_ELIGIBLE_OFFERS');
  const behindProxy = await startOfferwall(t, {
    overrides: { http: { bodyLimit: '1mb', trustedProxies: ['127.0.0.1'], publicUrl: null } },
  });
  const proxied = await behindProxy.json<PersonalizedJson>(P('wall=1001&numoffers=500'), {
    headers: { 'X-Forwarded-For': '5.9.0.1' },
  });
  t.is(proxied.res.status, 200);
  t.true(proxied.body.offers.every((o) => o.countries.includes('DE')));
});

test('http.publicUrl is where click links point when configured', async (t) => {
  const h = await startOfferwall(t, {
    overrides: { http: { bodyLimit: '1mb', trustedProxies: [], publicUrl: 'https://offers.example.com' } },
  });
  const { body } = await h.json<PersonalizedJson>(P('wall=1001&numoffers=2&ip=8.8.8.8'));
  t.true(body.offers.every((o) => o.click_url.startsWith('https://offers.example.com/api/v1/click?')));
});
