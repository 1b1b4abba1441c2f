import test from 'ava';
import { type BannerError, postBanner } from '../helpers/banner-client.js';
import { startBehindProxy } from '../helpers/behind-proxy.js';
import { startTestService } from '../helpers/start-test-service.js';

const memory = { env: { OFFERD_STORE: 'memory' } };

test('a request shaped exactly like the node SDK’s gets 200 with every contracted field', async (t) => {
  const s = await startTestService(t, memory);
  // get_personalized_banner(userId, activeChamp, offerId, prizeTypes, postalCode) posts exactly this.
  const sdk = {
    userId: 'player-1',
    activeChamp: 'ahri',
    offerId: '8622',
    prizeTypes: ['champion'],
    postalCode: '10115',
  };
  const res = await postBanner(s, sdk, { path: '/ab/getPersonalizedBanner?ip=0&verbose=0' });
  t.is(res.status, 200);
  t.regex(res.headers.get('x-rules-version') ?? '', /^demo;version=.*banner:1.*;hash=[0-9a-f]{12}$/);
  t.is(res.headers.get('cache-control'), 'no-store');
  const { kibotuMetadata, imageFullUrl } = res.body;
  t.deepEqual(Object.keys(res.body).sort(), ['imageFullUrl', 'kibotuMetadata']);
  t.deepEqual(Object.keys(kibotuMetadata).sort(), [
    'countryIso2',
    'experimentId',
    'occasion',
    'offerId',
    'renderId',
    'userId',
    'variationId',
  ]);
  t.like(kibotuMetadata, {
    userId: 'player-1',
    offerId: '8622',
    countryIso2: null, // a loopback caller: geo-IP knows no country
    experimentId: 'champion-spotlight',
    variationId: 1,
    occasion: '',
  });
  t.regex(kibotuMetadata.renderId, /^[0-9a-f-]{36}$/);
  // No prizeKey in the request: the app's default from its rules.
  t.is(imageFullUrl, 'https://cdn.offerd.example/banners/champion-spotlight/gems_500_en.png');
});

test('100 requests of one user return the same variation, each with its own renderId', async (t) => {
  const s = await startTestService(t, memory);
  const replies = [];
  for (let i = 0; i < 100; i++) {
    const path = i % 2 === 0 ? '/getPersonalizedBanner' : '/ab/getPersonalizedBanner';
    replies.push(await postBanner(s, { userId: 'sticky-1', offerId: 1, activeChamp: 'jinx' }, { path }));
  }
  t.true(replies.every((r) => r.status === 200));
  const variations = new Set(
    replies.map((r) => `${r.body.kibotuMetadata.experimentId}/${r.body.kibotuMetadata.variationId}`),
  );
  t.deepEqual([...variations], ['champion-spotlight/1']);
  t.is(new Set(replies.map((r) => r.body.kibotuMetadata.renderId)).size, 100);
});

test('a control user gets variationId 0 and the default banner, every time', async (t) => {
  const s = await startTestService(t, memory);
  // player-11 hashes into control (20 %) of champion-spotlight.
  for (let i = 0; i < 5; i++) {
    const res = await postBanner(s, {
      userId: 'player-11',
      offerId: '5',
      activeChamp: 'ahri',
      prizeKey: 'skin_ahri',
    });
    t.is(res.status, 200);
    t.like(res.body.kibotuMetadata, { experimentId: 'champion-spotlight', variationId: 0 });
    t.is(res.body.imageFullUrl, 'https://cdn.offerd.example/banners/default/skin_ahri_en.png');
  }
});

test('a user outside every experiment gets variationId -1 (never 0, control), experimentId "" and the default banner', async (t) => {
  const s = await startTestService(t, memory);
  const res = await postBanner(s, { userId: 'nobody', offerId: '5', countryIso2: 'fr', languageIso2: 'FR' });
  t.is(res.status, 200);
  t.like(res.body.kibotuMetadata, { experimentId: '', variationId: -1, countryIso2: 'FR' });
  t.is(res.body.imageFullUrl, 'https://cdn.offerd.example/banners/default/gems_500_fr.png');
});

test('context keys reach the rules: an engaged player at level-up enters the first-offer experiment', async (t) => {
  const s = await startTestService(t, memory);
  const body = { userId: 'player-2', offerId: '3', countryIso2: 'US', level: 12, occasion: 'level_up' };
  const res = await postBanner(s, body);
  t.like(res.body.kibotuMetadata, {
    experimentId: 'level-up-first-offer',
    variationId: 1,
    occasion: 'level_up',
  });
  const lowLevel = await postBanner(s, { ...body, userId: 'player-3', level: 3 });
  t.like(lowLevel.body.kibotuMetadata, { experimentId: '', variationId: -1 });
});

test('without countryIso2 the country comes from geo-IP of the caller, through trusted proxies only', async (t) => {
  const s = await startTestService(t, memory);
  const direct = await postBanner(
    s,
    { userId: 'geo-1', offerId: 1 },
    { headers: { 'X-Forwarded-For': '8.8.8.8' } },
  );
  t.is(direct.body.kibotuMetadata.countryIso2, null, 'X-Forwarded-For from an untrusted peer is ignored');

  const proxied = await startBehindProxy(t);
  const viaProxy = await postBanner(
    proxied,
    { userId: 'geo-1', offerId: 1 },
    { headers: { 'X-Forwarded-For': '8.8.8.8' } },
  );
  t.is(viaProxy.body.kibotuMetadata.countryIso2, 'US');
  t.is(viaProxy.body.imageFullUrl, 'https://cdn.offerd.example/banners/default/gems_500_en.png');
  const explicit = await postBanner(
    proxied,
    { userId: 'geo-1', offerId: 1, countryIso2: 'DE' },
    { headers: { 'X-Forwarded-For': '8.8.8.8' } },
  );
  t.is(explicit.body.kibotuMetadata.countryIso2, 'DE', 'a country in the request wins over geo-IP');
});

test('bad input gets a 4xx that says Invalid input and names the field, never a 500', async (t) => {
  const s = await startTestService(t, memory);
  const cases: { name: string; body: unknown; status: number; field: string }[] = [
    { name: 'missing userId', body: { offerId: '1' }, status: 400, field: 'userId' },
    { name: 'missing offerId', body: { userId: 'u' }, status: 400, field: 'offerId' },
    {
      name: 'a country name',
      body: { userId: 'u', offerId: '1', countryIso2: 'Germany' },
      status: 400,
      field: 'countryIso2',
    },
    {
      name: 'a language name',
      body: { userId: 'u', offerId: '1', languageIso2: 'German' },
      status: 400,
      field: 'languageIso2',
    },
    {
      name: 'a prize type that is no string',
      body: { userId: 'u', offerId: '1', prizeTypes: ['gems', 7] },
      status: 400,
      field: 'prizeTypes[1]',
    },
    {
      name: 'a prize type that is no string, after an unknown one: named at the index it was sent at',
      body: { userId: 'u', offerId: '1', prizeTypes: ['gems', 'bogus', 5] },
      status: 400,
      field: 'prizeTypes[2]',
    },
    {
      name: 'a bad postal code',
      body: { userId: 'u', offerId: '1', postalCode: '<script>' },
      status: 400,
      field: 'postalCode',
    },
    { name: 'an empty userId', body: { userId: ' ', offerId: '1' }, status: 400, field: 'userId' },
    { name: 'a fractional userId', body: { userId: 4.5, offerId: '1' }, status: 400, field: 'userId' },
    { name: 'a body []', body: [], status: 400, field: 'body' },
    { name: 'a body null', body: 'null', status: 400, field: 'body' },
    { name: 'malformed JSON', body: '{"userId": "u", ', status: 400, field: 'body' },
    {
      name: 'a __proto__ key',
      body: '{"userId":"u","offerId":"1","__proto__":{"admin":true}}',
      status: 400,
      field: '__proto__',
    },
    {
      name: 'a nested constructor key',
      body: { userId: 'u', offerId: '1', hero: { constructor: { prototype: 1 } } },
      status: 400,
      field: 'hero.constructor',
    },
    {
      name: 'a 2 MB body',
      body: { userId: 'u', offerId: '1', pad: 'x'.repeat(2 * 1024 * 1024) },
      status: 413,
      field: 'body',
    },
  ];
  for (const c of cases) {
    const res = await postBanner<BannerError>(s, c.body);
    t.is(res.status, c.status, c.name);
    t.is(res.body.message, 'Invalid input', c.name);
    t.true(
      res.body.errors.some((e) => e.field === c.field),
      `${c.name}: ${res.text}`,
    );
  }
  t.is(({} as Record<string, unknown>).admin, undefined, 'nothing was polluted');
});

test('lenient inputs real clients send are normalized, not refused (empty = absent, UK, pt-BR, numeric userId, unknown prize types)', async (t) => {
  const s = await startTestService(t, memory);
  const res = await postBanner(s, {
    userId: 4711,
    offerId: '1',
    countryIso2: 'UK',
    languageIso2: 'pt-BR',
    prizeKey: '',
    postalCode: '',
    prizeTypes: ['gems', 'jackpot'],
  });
  t.is(res.status, 200);
  t.like(res.body.kibotuMetadata, { userId: '4711', countryIso2: 'GB' });
  t.is(res.headers.get('x-offerd-warning'), 'unknown prizeTypes ignored: "jackpot"');
  const empty = await postBanner(s, { userId: 'e-1', offerId: '1', countryIso2: '' });
  t.is(empty.status, 200);
  t.is(empty.body.kibotuMetadata.countryIso2, null, 'an empty country is unknown, as if not sent');
});

test('an unknown prize type that no header may carry (a control character, a newline, non-Latin text) is named escaped, never a 500', async (t) => {
  const s = await startTestService(t, memory);
  const res = await postBanner(s, {
    userId: 'p-1',
    offerId: '1',
    prizeTypes: ['\u0001', 'a\r\nSet-Cookie: x=1', 'Ωmega', ...Array.from({ length: 9 }, (_, i) => `t${i}`)],
  });
  t.is(res.status, 200);
  t.is(res.headers.get('set-cookie'), null, 'no header was injected');
  t.is(
    res.headers.get('x-offerd-warning'),
    'unknown prizeTypes ignored: "\\u0001", "a\\r\\nSet-Cookie: x=1", "\\u03a9mega", "t0", "t1" and 7 more',
  );
});

test('every offending field is named at once', async (t) => {
  const s = await startTestService(t, memory);
  const res = await postBanner<BannerError>(s, {
    countryIso2: 'XX',
    languageIso2: 'zz',
    prizeTypes: 'gold',
    zipCode: '1',
    postalCode: '2',
  });
  t.is(res.status, 400);
  t.deepEqual(
    res.body.errors.map((e) => e.field),
    ['userId', 'offerId', 'countryIso2', 'languageIso2', 'postalCode'],
  );
  t.truthy(res.headers.get('x-rules-version'), 'the rules were read, so the reply names their version');
});

test('auth: the raw key or Bearer; 401 missing or unknown, 403 for a key without the banner API', async (t) => {
  const s = await startTestService(t, memory);
  const body = { userId: 'auth-1', offerId: '1' };
  t.is((await postBanner(s, body, { headers: { Authorization: 'Bearer demo-key' } })).status, 200);
  const missing = await postBanner<BannerError>(s, body, { headers: { Authorization: '' } });
  t.is(missing.status, 401);
  t.is(missing.body.message, 'Invalid authentication, check your API Key');
  t.is((await postBanner(s, body, { headers: { Authorization: 'wrong-key' } })).status, 401);
  const journeysKey = await postBanner<BannerError>(s, body, { headers: { Authorization: 'pk_live_demo' } });
  t.is(journeysKey.status, 403);
  t.is(journeysKey.body.message, 'Invalid authorization, no permissions to perform the requested action');
});

test('auth: 403 for a disabled app and for a revoked key', async (t) => {
  const { writeFile } = await import('node:fs/promises');
  const { tempDir } = await import('../helpers/temp-dir.js');
  const { hashApiKey } = await import('../../src/config/api-key.js');
  const config = `${await tempDir(t, 'offerd-config-')}/offerd.yaml`;
  await writeFile(
    config,
    [
      'apps:',
      '  - {id: demo, name: Demo, status: active, keys: [',
      `      {id: ok, hash: "${hashApiKey('ok-key')}", apis: [banner]},`,
      `      {id: old, hash: "${hashApiKey('old-key')}", apis: [banner], revoked: true}]}`,
      '  - {id: sleepy, name: Sleepy, status: disabled, keys: [',
      `      {id: s, hash: "${hashApiKey('sleepy-key')}", apis: [banner]}]}`,
    ].join('\n'),
  );
  const s = await startTestService(t, { env: { OFFERD_STORE: 'memory', OFFERD_CONFIG: config } });
  const body = { userId: 'auth-2', offerId: '1' };
  t.is((await postBanner(s, body, { headers: { Authorization: 'ok-key' } })).status, 200);
  t.is((await postBanner(s, body, { headers: { Authorization: 'old-key' } })).status, 403);
  t.is((await postBanner(s, body, { headers: { Authorization: 'sleepy-key' } })).status, 403);
});
