import test from 'ava';
import type { BannerResponse } from '../../src/banner/banner-render.js';
import { DEMO_KEY, getResults, postBanner, postTrack, sdkEvent } from '../helpers/banner-client.js';
import { ADMIN, startTestService, type TestService } from '../helpers/start-test-service.js';

const PURCHASE = 'SpecialOfferPopupPurchased';

async function render(
  s: TestService,
  userId: string,
  body: Record<string, unknown> = { activeChamp: 'ahri' },
) {
  const res = await postBanner(s, { userId, offerId: '8622', ...body });
  if (res.status !== 200) throw new Error(`banner ${res.status} ${res.text}`);
  return res.body;
}

test('the node SDK reads success: body exactly 1, or {"status":1,"error":null} with verbose=1', async (t) => {
  const s = await startTestService(t);
  const plain = await postTrack(s, [sdkEvent('t-1', 'AppStart')]);
  t.is(plain.status, 200);
  t.is(plain.text, '1');
  const verbose = await postTrack(s, [sdkEvent('t-1', 'AppStart')], { verbose: true });
  t.is(verbose.status, 200);
  t.deepEqual(verbose.body, { status: 1, error: null });
  const viaAb = await s.fetch('/ab/track', {
    method: 'POST',
    headers: { Authorization: DEMO_KEY, 'Content-Type': 'application/json' },
    body: JSON.stringify([sdkEvent('t-1', 'AppStart')]),
  });
  t.is(await viaAb.text(), '1');
});

test('the key may come as the events’ token property when no Authorization header is sent', async (t) => {
  const s = await startTestService(t);
  const noHeader = await postTrack(s, [sdkEvent('t-2', 'AppStart')], { headers: { Authorization: '' } });
  t.is(noHeader.text, '1');
  const wrong = { ...sdkEvent('t-2', 'AppStart'), properties: { distinct_id: 't-2', token: 'nope' } };
  const denied = await postTrack(s, [wrong], { headers: { Authorization: '' }, verbose: true });
  t.is(denied.status, 401);
  t.deepEqual(denied.body, { status: 0, error: 'Invalid authentication, check your API Key' });
  const journeys = await postTrack(s, [sdkEvent('t-2', 'AppStart')], {
    headers: { Authorization: 'pk_live_demo' },
  });
  t.is(journeys.status, 403);
  t.is(journeys.text, '0');
});

test('without an Authorization header each record’s token is checked: one that is missing, unknown or not a banner key of the app is refused alone', async (t) => {
  const s = await startTestService(t);
  const withToken = (user: string, token?: string) => ({
    event: 'AppStart',
    properties: { distinct_id: user, ...(token === undefined ? {} : { token }) },
  });
  const batch = [
    withToken('tok-ok', DEMO_KEY),
    withToken('tok-unknown', 'bogus'),
    withToken('tok-none'),
    withToken('tok-journeys-key', 'pk_live_demo'),
  ];
  const res = await postTrack<{ status: number; failed_records: { index: number; field: string }[] }>(
    s,
    batch,
    {
      headers: { Authorization: '' },
      verbose: true,
    },
  );
  t.is(res.status, 200);
  t.is(res.body.status, 0);
  t.deepEqual(
    res.body.failed_records.map((r) => [r.index, r.field]),
    [
      [1, 'token'],
      [2, 'token'],
      [3, 'token'],
    ],
  );
  const stored = async (user: string) =>
    (
      await s.fetch('/admin/apps/demo/explain', {
        method: 'POST',
        headers: { Authorization: 'Bearer demo-admin-token', 'Content-Type': 'application/json' },
        body: JSON.stringify({ api: 'banner', user, request: { offerId: '8622' } }),
      })
    ).status;
  t.is(await stored('tok-ok'), 200);
  for (const user of ['tok-unknown', 'tok-none', 'tok-journeys-key']) t.is(await stored(user), 404, user);
});

test('a batch keeps its valid events: bad ones are named by index, the reply is 0 (HTTP 200)', async (t) => {
  const s = await startTestService(t);
  // A new user without activeChamp is outside every experiment; a purchase makes them a payer.
  const before = await render(s, 'buyer-1', {});
  t.is(before.kibotuMetadata.experimentId, '');
  const batch = [
    sdkEvent('buyer-1', 'AppStart'),
    { event: '', properties: { distinct_id: 'buyer-1' } },
    { event: 'AppStart', properties: { distinct_id: 'buyer-1', time: 'yesterday' } },
  ];
  const plain = await postTrack(s, batch);
  t.is(plain.status, 200, 'a retry could not fix the bad events; the Unity SDK retries any non-2xx');
  t.is(plain.text, '0');
  const verbose = await postTrack<{ status: number; error: string; failed_records: unknown[] }>(
    s,
    [sdkEvent('buyer-1', PURCHASE), ...batch],
    { verbose: true },
  );
  t.is(verbose.body.status, 0);
  t.regex(
    verbose.body.error,
    /^2 of 4 records rejected: \[2\] event must not be empty; \[3\] properties\.time/,
  );
  t.deepEqual(verbose.body.failed_records, [
    { index: 2, field: 'event', message: 'must not be empty' },
    {
      index: 3,
      field: 'properties.time',
      message: 'must be a positive number of seconds or milliseconds since the epoch',
    },
  ]);
  const payer = await render(s, 'buyer-1', {});
  t.is(payer.kibotuMetadata.experimentId, 'payer-upsell', 'the valid purchase of that batch was stored');
});

test('batches: at most 50 events; malformed JSON and non-arrays get 0 as well, at HTTP 200', async (t) => {
  const s = await startTestService(t);
  const many = Array.from({ length: 51 }, () => sdkEvent('t-3', 'AppStart'));
  // A body refused whole is the SDK's `0` at HTTP 200: the Unity SDK resends anything else for ever.
  const tooMany = await postTrack<{ error: string }>(s, many, { verbose: true });
  t.is(tooMany.status, 200);
  t.regex(tooMany.body.error, /body at most 50 events per batch, got 51/);
  t.is((await postTrack(s, many.slice(0, 50))).text, '1');
  const malformed = await postTrack(s, '[{"event": ');
  t.is(malformed.status, 200);
  t.is(malformed.text, '0');
  const malformedVerbose = await postTrack<{ error: string }>(s, '[{"event": ', { verbose: true });
  t.is(malformedVerbose.body.error, 'Invalid input: body is not valid JSON');
  const scalar = await postTrack(s, '"AppStart"');
  t.is(scalar.status, 200);
  t.is(scalar.text, '0');
  const polluting = await postTrack(
    s,
    '[{"event":"AppStart","properties":{"distinct_id":"x","__proto__":{"a":1}}}]',
  );
  // Refused alone, as any bad record of a batch.
  t.is(polluting.status, 200);
  t.is(polluting.text, '0');
  const pollutingAlone = await postTrack<{ error: string }>(
    s,
    '{"event":"AppStart","properties":{"distinct_id":"x","__proto__":{"a":1}}}',
    { verbose: true },
  );
  t.regex(
    pollutingAlone.body.error,
    /__proto__/,
    'a body of one object is still held to the bounds as a whole',
  );
  t.is(({} as Record<string, unknown>).a, undefined);
  const single = await postTrack(s, sdkEvent('t-3', 'AppStart'));
  t.is(single.text, '1', 'a single event object is a batch of one');
});

test('the Unity SDK is never left resending one batch: NaN and Infinity refuse their record alone, a body over the limit is 0 at HTTP 200', async (t) => {
  const s = await startTestService(t);
  const stored = async (user: string) =>
    (
      await s.fetch('/admin/apps/demo/explain', {
        method: 'POST',
        headers: { ...ADMIN, 'Content-Type': 'application/json' },
        body: JSON.stringify({ api: 'banner', user, request: { offerId: '8622' } }),
      })
    ).status;
  // Kibotu/Value.cs writes a double with ToString: 0/0 goes out as a bare NaN, 1/0 as Infinity.
  const event = (user: string, name: string, extra: string) =>
    `{"event":"${name}","properties":{"distinct_id":"${user}","time":${Date.now()}${extra}}}`;
  const unity = `[${event('nan-1', 'MatchEnd', ',"winRate":NaN')},${event('nan-2', PURCHASE, ',"note":"NaN Infinity \\" NaN"')},${event('nan-3', 'MatchEnd', ',"best":[1,-Infinity]')},${event('nan-6', 'MatchEnd', ',"kd":Infinity')}]`;
  const reply = await postTrack<{ status: number; failed_records: unknown[] }>(s, unity, { verbose: true });
  t.is(reply.status, 200);
  t.deepEqual(reply.body.failed_records, [
    { index: 0, field: 'properties.winRate', message: 'is not a finite number' },
    { index: 2, field: 'properties.best[1]', message: 'is not a finite number' },
    { index: 3, field: 'properties.kd', message: 'is not a finite number' },
  ]);
  t.deepEqual(
    [await stored('nan-1'), await stored('nan-2'), await stored('nan-3')],
    [404, 200, 404],
    'the purchase beside them was stored; the words NaN and Infinity in its text stay text',
  );
  const engage = await s.fetch('/engage?verbose=1', {
    method: 'POST',
    headers: { Authorization: DEMO_KEY, 'Content-Type': 'application/json' },
    body: '[{"$distinct_id":"nan-4","$set":{"rate":NaN}},{"$distinct_id":"nan-5","$set":{"level":3}}]',
  });
  t.is(engage.status, 200);
  t.like(await engage.json(), { status: 0, failed_records: [{ index: 0, field: '$set.rate' }] });
  // A literal glued to digits is no number at all: the body stays refused whole, not read as 0.0…01e400 (= 1).
  const glued = await s.fetch('/engage?verbose=1', {
    method: 'POST',
    headers: { Authorization: DEMO_KEY, 'Content-Type': 'application/json' },
    body: `[{"$distinct_id":"nan-7","$set":{"score":0.${'0'.repeat(399)}NaN}}]`,
  });
  t.like(await glued.json(), { status: 0, error: 'Invalid input: body is not valid JSON' });
  t.is(await stored('nan-7'), 404);

  // 50 events of ~22 KB, each within every bound of a record: 1.1 MB, over http.bodyLimit.
  const big = Array.from({ length: 50 }, (_, i) => ({
    event: 'Inventory',
    properties: { distinct_id: 'big-1', time: Date.now(), $insert_id: `big-${i}`, dump: 'x'.repeat(22_000) },
  }));
  const tooBig = await postTrack(s, big);
  t.is(tooBig.status, 200, 'a 413 would be resent for ever, holding back every later event of the device');
  t.is(tooBig.text, '0');
  t.is(await stored('big-1'), 404, 'nothing of it was stored');
  t.is((await postTrack(s, [sdkEvent('big-1', 'AppStart')])).text, '1', 'the next batch goes through');
});

test('tracked purchases show up as conversions per variation in the experiment results', async (t) => {
  const s = await startTestService(t);
  const renders: BannerResponse[] = [];
  for (let i = 0; i < 30; i++) renders.push(await render(s, `shopper-${i}`));
  // Every third user buys once, some twice (distinct users count once), plus noise events.
  const buyers = renders.filter((_, i) => i % 3 === 0);
  const events = buyers.flatMap((r, i) => [
    sdkEvent(r.kibotuMetadata.userId, PURCHASE, r.kibotuMetadata),
    ...(i % 2 === 0 ? [sdkEvent(r.kibotuMetadata.userId, PURCHASE, r.kibotuMetadata)] : []),
    sdkEvent(r.kibotuMetadata.userId, 'SpecialOfferPopupOpened', r.kibotuMetadata),
  ]);
  t.is((await postTrack(s, events)).text, '1');
  await render(s, 'shopper-0'); // one more exposure

  const res = await getResults(s, 'champion-spotlight');
  t.is(res.status, 200);
  t.truthy(res.headers.get('x-rules-version'));
  t.like(res.body, { experimentId: 'champion-spotlight', bucketVersion: 2 });
  const byId = new Map(res.body.variations.map((v) => [v.variationId, v]));
  const expected = (variationId: number, list: typeof renders) =>
    list.filter((r) => r.kibotuMetadata.variationId === variationId).length;
  for (const id of [0, 1]) {
    const v = byId.get(id);
    t.is(v?.users, expected(id, renders), `users of ${id}`);
    t.is(v?.metrics[PURCHASE]?.conversions, expected(id, buyers), `converted users of ${id}`);
    t.is(v?.metrics.SpecialOfferPopupOpened?.conversions, expected(id, buyers));
    const users = v?.users ?? 0;
    const rate = users > 0 ? Math.round((expected(id, buyers) / users) * 1e4) / 1e4 : null;
    t.is(v?.metrics[PURCHASE]?.rate, rate);
  }
  t.is((byId.get(0)?.exposures ?? 0) + (byId.get(1)?.exposures ?? 0), 31);
  t.is(byId.get(0)?.metrics[PURCHASE]?.versusControl, null, 'control is what the others are tested against');
  const p = byId.get(1)?.metrics[PURCHASE]?.versusControl?.pValue;
  t.true(p === null || (typeof p === 'number' && p >= 0 && p <= 1));
});

test('experiment results: admin token, 404 for unknown apps and experiments, 400 for a bad bucketVersion', async (t) => {
  const s = await startTestService(t, { env: { OFFERD_STORE: 'memory' } });
  t.is((await s.fetch('/admin/apps/demo/experiments/payer-upsell')).status, 401);
  t.is((await getResults(s, 'no-such-experiment')).status, 404);
  const unknownApp = await s.fetch('/admin/apps/nope/experiments/payer-upsell', {
    headers: { Authorization: 'Bearer demo-admin-token' },
  });
  t.is(unknownApp.status, 404);
  const zero = await getResults(s, 'payer-upsell', '?bucketVersion=0');
  t.is(zero.status, 400);
  t.deepEqual((zero.body as unknown as { error: { fields: unknown } }).error.fields, [
    { field: 'bucketVersion', message: 'must be an integer from 1 to 2147483647' },
  ]);
  // Past PostgreSQL's integer, the store's query would fail: a 400 here, on every store.
  t.is((await getResults(s, 'payer-upsell', '?bucketVersion=99999999999999999999')).status, 400);
  t.is((await getResults(s, 'payer-upsell', '?bucketVersion=zero')).status, 400);
  t.is((await getResults(s, 'payer-upsell', '?bucketVersion=1&bucketVersion=2')).status, 400);
  const older = await getResults(s, 'champion-spotlight', '?bucketVersion=1');
  t.is(older.status, 200);
  t.is(older.body.bucketVersion, 1);
  // A version not run yet is no empty running experiment.
  const future = await getResults(s, 'champion-spotlight', '?bucketVersion=7');
  t.is(future.status, 404);
  t.regex(JSON.stringify(future.body), /has no bucket version 7: its current one is 2/);
  const paused = await getResults(s, 'winter-event');
  t.deepEqual(
    paused.body.variations.map((v) => [v.variationId, v.name, v.users, v.exposures]),
    [
      [0, 'control', 0, 0],
      [1, 'snow', 0, 0],
    ],
  );
});

test('every SDK call after authentication names the rules version live (X-Rules-Version), profile updates too', async (t) => {
  const s = await startTestService(t);
  const call = (path: string, body: unknown) =>
    s.fetch(`${path}?ip=0&verbose=1`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: DEMO_KEY },
      body: JSON.stringify(body),
    });
  const version = (await postBanner(s, { userId: 'hdr', offerId: '8622' })).headers.get('x-rules-version');
  t.truthy(version);
  const replies = {
    track: await call('/track', [sdkEvent('hdr', 'AppStart')]),
    engage: await call('/engage', [{ $set: { a: 1 }, $distinct_id: 'hdr' }]),
    groups: await call('/groups', [{ $set: { a: 1 }, $group_key: 'guild', $group_id: 'g1' }]),
    feature: await call('/feature', [
      { featureName: 'special_offer_on_level_up', distinct_id: 'hdr', predict_id: 'p' },
    ]),
  };
  for (const [path, res] of Object.entries(replies)) {
    t.is(res.status, 200, path);
    t.is(res.headers.get('x-rules-version'), version, path);
  }
});

test('a number id past 2^53 is refused by name (JSON has rounded it: two players would be one); a smaller number is its decimal text', async (t) => {
  const s = await startTestService(t);
  // Two Steam64-style ids JSON parses to the same double.
  const text =
    '[{"event":"AppStart","properties":{"distinct_id":76561198000009345}},{"event":"AppStart","properties":{"distinct_id":76561198000009351}},{"event":"AppStart","properties":{"distinct_id":4242}}]';
  const res = await s.fetch('/track?ip=0&verbose=1', {
    method: 'POST',
    headers: { Authorization: DEMO_KEY, 'Content-Type': 'application/json' },
    body: text,
  });
  const body = (await res.json()) as { failed_records: { index: number; field: string; message: string }[] };
  t.deepEqual(
    body.failed_records.map((r) => [r.index, r.field]),
    [
      [0, 'properties.distinct_id'],
      [1, 'properties.distinct_id'],
    ],
  );
  t.regex(
    body.failed_records[0]?.message ?? '',
    /within ±9007199254740991 \(JSON rounds larger ones: send them as strings\)/,
  );
  const engage = await s.fetch('/engage?ip=0&verbose=1', {
    method: 'POST',
    headers: { Authorization: DEMO_KEY, 'Content-Type': 'application/json' },
    body: '[{"$set":{"a":1},"$distinct_id":76561198000009351}]',
  });
  const engaged = (await engage.json()) as { failed_records: { field: string; message: string }[] };
  t.like(engaged.failed_records[0], { field: '$distinct_id' });
  t.regex(engaged.failed_records[0]?.message ?? '', /JSON rounds larger ones: send them as strings/);
  const banner = await s.fetch('/getPersonalizedBanner?ip=0', {
    method: 'POST',
    headers: { Authorization: DEMO_KEY, 'Content-Type': 'application/json' },
    body: '{"userId":"steam-1","offerId":76561198000009345}',
  });
  t.is(banner.status, 400);
  t.regex(await banner.text(), /offerId.*JSON rounds larger ones: send them as strings/);
  // The safe number is a user of its own, under its decimal text.
  t.like(await render(s, '4242', {}), { kibotuMetadata: { userId: '4242' } });
  const stored = await s.fetch('/admin/apps/demo/explain', {
    method: 'POST',
    headers: { ...ADMIN, 'Content-Type': 'application/json' },
    body: JSON.stringify({ api: 'banner', user: '76561198000009340' }),
  });
  t.is(stored.status, 404, 'the rounded id was never stored');
});
