/**
 * One test per documented promise of the Kibotu-compatible API, each naming where the
 * promise comes from: the SDK files (KibotuAI/kibotu-node lib/*.js, KibotuAI/kibotu-unity
 * Kibotu/*.cs) or the contract notes (/work/shared/docs/api-contracts.md §1).
 */
import test from 'ava';
import { DEMO_KEY, postBanner } from '../helpers/banner-client.js';
import { startBehindProxy } from '../helpers/behind-proxy.js';
import { ADMIN, startTestService, type TestService } from '../helpers/start-test-service.js';

async function post(s: TestService, path: string, body: unknown, verbose = false) {
  const res = await s.fetch(`${path}?ip=0&verbose=${verbose ? 1 : 0}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: DEMO_KEY },
    body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

/** Events stored for the demo app so far (offerd_banner_tracked_events_total). */
async function storedEvents(s: TestService): Promise<number> {
  const text = await (await s.fetch('/metrics')).text();
  const line = text.split('\n').find((l) => l.startsWith('offerd_banner_tracked_events_total{app="demo"}'));
  return Number(line?.split(' ')[1] ?? 0);
}

async function specialOffer(s: TestService, trigger: string, distinctId: string) {
  const body = [{ featureName: `special_offer_on_${trigger}`, distinct_id: distinctId, predict_id: 'p' }];
  return (JSON.parse((await post(s, '/feature', body)).text) as { specialOffer: { offerId: string } | null })
    .specialOffer;
}

test('kibotu-node lib/kibotu-node.js track_batch: one bad event of a chunk does not lose the others', async (t) => {
  const s = await startTestService(t);
  const good = Array.from({ length: 49 }, (_, i) => ({
    event: 'Played',
    properties: { distinct_id: `b-${i}` },
  }));
  const bad = { event: 'Played', properties: { distinct_id: 'b-x', time: 'not a time' } };
  const reply = await post(s, '/track', [...good.slice(0, 20), bad, ...good.slice(20)], true);
  t.is(reply.status, 200);
  const body = JSON.parse(reply.text) as { status: number; failed_records: { index: number }[] };
  t.is(body.status, 0, 'the SDK hears that not everything was stored');
  t.deepEqual(
    body.failed_records.map((r) => r.index),
    [20],
  );
  t.is(await storedEvents(s), 49);
});

test('api-contracts §1: a retried batch stores nothing twice ($insert_id, per app)', async (t) => {
  const s = await startTestService(t);
  const batch = [1, 2, 3].map((i) => ({
    event: 'Buy',
    properties: { distinct_id: 'r-1', $insert_id: `buy-${i}` },
  }));
  t.is((await post(s, '/track', batch)).text, '1');
  t.is((await post(s, '/track', batch)).text, '1', 'a retry is a success: the events are stored');
  t.is((await post(s, '/track', [batch[0], batch[0]])).text, '1');
  t.is(await storedEvents(s), 3);
});

test('kibotu-node $insert_id de-duplicates as Mixpanel does (event, user, time and id): two users with one id are two events', async (t) => {
  const s = await startTestService(t);
  // An integrator's per-user counter as $insert_id: the id alone would drop b's purchase.
  const purchase = (user: string, event = 'SpecialOfferPopupPurchased') => ({
    event,
    properties: { distinct_id: user, time: 1_790_000_000, $insert_id: '1' },
  });
  t.is((await post(s, '/track', [purchase('dd-a')])).text, '1');
  t.is((await post(s, '/track', [purchase('dd-b')])).text, '1');
  t.is((await post(s, '/track', [purchase('dd-a', 'AppStart')])).text, '1');
  t.is(await storedEvents(s), 3, "each user's event and each event name stored");
  t.is((await post(s, '/track', [purchase('dd-a'), purchase('dd-b')])).text, '1', 'a retry is a success');
  t.is(await storedEvents(s), 3, 'a retry stores nothing twice');
});

test('kibotu-unity Kibotu/Controller.cs: a retried /engage queue (same queue ids) applies its updates once', async (t) => {
  const s = await startTestService(t);
  const item = (id: number, ops: Record<string, unknown>) => ({
    ...ops,
    distinct_id: 'unity-engage',
    time: Date.now(),
    _kb_metadata: { _kb_event_id: `pe${id}`, _kb_session_id: 's1' },
    id: `Kibotu.People${id}`,
  });
  const queue = [item(1, { _kb_add: { coins: 100 } }), item(2, { _kb_append: { items: 'sword' } })];
  t.is((await post(s, '/engage', queue)).text, '1');
  // Unity re-sends the whole queue when the answer was lost.
  t.is((await post(s, '/engage', queue)).text, '1', 'the retry is acknowledged');
  // Another device's queue counts from 1 too: its ids are its own.
  const other = { ...item(1, { _kb_add: { coins: 7 } }), distinct_id: 'unity-other' };
  t.is((await post(s, '/engage', [other])).text, '1');
  const explained = async (user: string) => {
    const res = await s.fetch('/admin/apps/demo/explain', {
      method: 'POST',
      headers: { ...ADMIN, 'Content-Type': 'application/json' },
      body: JSON.stringify({ api: 'banner', user }),
    });
    t.is(res.status, 200);
    const body = (await res.json()) as { why: { facts: { user: { properties: Record<string, unknown> } } } };
    return body.why.facts.user.properties;
  };
  const props = await explained('unity-engage');
  t.is(props.coins, 100, 'the $add applied once');
  t.deepEqual(props.items, ['sword'], 'the $append applied once');
  t.is((await explained('unity-other')).coins, 7);
});

test('kibotu-unity Kibotu/Controller.cs DoTrack: Unity batches (_kb_ names, top-level distinct_id and id) de-duplicate on retry', async (t) => {
  const s = await startTestService(t);
  const unityEvent = (id: number) => ({
    event: 'MatchFinished',
    properties: { _kb_lib: 'unity', distinct_id: 'unity-1', time: Date.now() },
    distinct_id: 'unity-1',
    _kb_metadata: { _kb_event_id: `e${id}`, _kb_session_id: 's1', _kb_session_seq_id: id },
    id,
  });
  const batch = [unityEvent(1), unityEvent(2)];
  t.is((await post(s, '/track', batch)).text, '1');
  t.is((await post(s, '/track', batch)).text, '1');
  t.is(await storedEvents(s), 2);
});

test('kibotu-node lib/kibotu-node.js track(event): events without distinct_id are kept as anonymous', async (t) => {
  const s = await startTestService(t);
  const reply = await post(s, '/track', [
    { event: 'played_game', properties: { token: DEMO_KEY, mp_lib: 'node' } },
  ]);
  t.is(reply.text, '1');
  t.is(await storedEvents(s), 1);
});

test('kibotu-node lib/kibotu-node.js import: /import keeps historical events and requires their time', async (t) => {
  const s = await startTestService(t);
  const old = { event: 'Old', properties: { distinct_id: 'i-1', time: 1_600_000_000 } };
  t.is((await post(s, '/import', [old])).text, '1');
  const noTime = await post(s, '/import', [{ event: 'Old', properties: { distinct_id: 'i-1' } }], true);
  t.regex(noTime.text, /properties\.time is required for \/import/);
  t.is(await storedEvents(s), 1);
});

test('kibotu-unity Kibotu/KibotuAPI.cs People: _kb_set / _kb_add reach rules as user.properties', async (t) => {
  const s = await startTestService(t);
  t.is(await specialOffer(s, 'low_balance', 'unity-2'), null, 'no coins property yet');
  const engage = (ops: Record<string, unknown>, id: number) => ({
    ...ops,
    distinct_id: 'unity-2',
    time: Date.now(),
    _kb_metadata: { _kb_event_id: `p${id}` },
  });
  const reply = await post(s, '/engage', [
    engage({ _kb_set: { coins: 500 } }, 1),
    engage({ _kb_add: { coins: -450 } }, 2),
  ]);
  t.is(reply.text, '1');
  t.is((await specialOffer(s, 'low_balance', 'unity-2'))?.offerId, 'low-balance-coins');
});

test('kibotu-node lib/people.js: /engage names each bad update by index and applies the rest', async (t) => {
  const s = await startTestService(t);
  const reply = await post(
    s,
    '/engage',
    [
      { $add: { coins: 'many' }, $distinct_id: 'e-1' },
      { $set: { vip_level: 9 }, $distinct_id: 'e-1' },
    ],
    true,
  );
  const body = JSON.parse(reply.text) as {
    status: number;
    failed_records: { index: number; field: string }[];
  };
  t.is(body.status, 0);
  t.deepEqual(body.failed_records, [{ index: 0, field: '$add.coins', message: 'must be a number' }]);
  t.is((await specialOffer(s, 'level_up', 'e-1'))?.offerId, 'vip-level-up-bundle', 'the $set was applied');
});

test('kibotu-node lib/kibotu-node.js alias: $create_alias links later events and requests to the distinct id', async (t) => {
  const s = await startTestService(t);
  await post(s, '/engage', [{ $set: { vip_level: 7 }, $distinct_id: 'real-1' }]);
  const alias = [{ event: '$create_alias', properties: { distinct_id: 'real-1', alias: 'device-abc' } }];
  t.is((await post(s, '/track', alias)).text, '1');
  const offer = await specialOffer(s, 'level_up', 'device-abc');
  t.is(offer?.offerId, 'vip-level-up-bundle', "the alias sees real-1's profile");
  const banner = await postBanner(s, { userId: 'device-abc', offerId: '1' });
  t.is(banner.body.kibotuMetadata.userId, 'real-1');
});

test('kibotu-node lib/kibotu-node.js alias: aliases chain to one user and never swap two', async (t) => {
  const s = await startTestService(t);
  const alias = (alias: string, distinctId: string) =>
    post(s, '/track', [{ event: '$create_alias', properties: { distinct_id: distinctId, alias } }]);
  await post(s, '/engage', [{ $set: { vip_level: 7 }, $distinct_id: 'real-2' }]);
  await alias('device-2', 'real-2');
  await alias('real-2', 'device-2'); // the reverse link: the same person, nothing to link
  await alias('tablet-2', 'device-2'); // an alias of an alias: the user behind it
  for (const id of ['real-2', 'device-2', 'tablet-2']) {
    const banner = await postBanner(s, { userId: id, offerId: '1' });
    t.is(banner.body.kibotuMetadata.userId, 'real-2', `${id} stands for real-2`);
  }
  // Once only: a granted offer is in its cooldown for the same user after.
  t.is((await specialOffer(s, 'level_up', 'tablet-2'))?.offerId, 'vip-level-up-bundle', "real-2's profile");
});

test('kibotu-node lib/kibotu-node.js alias: an id that is already a player is never made an alias, so the public key cannot take a player over', async (t) => {
  const s = await startTestService(t);
  // The victim: a profile and a banner of their own.
  await post(s, '/engage', [{ $set: { vip_level: 7 }, $distinct_id: 'victim-1' }]);
  t.is((await postBanner(s, { userId: 'victim-1', offerId: '1' })).body.kibotuMetadata.userId, 'victim-1');
  // Only seen by a banner: a player too.
  await postBanner(s, { userId: 'victim-2', offerId: '1' });
  const reply = await post(
    s,
    '/track',
    [
      { event: '$create_alias', properties: { distinct_id: 'attacker-1', alias: 'victim-1' } },
      { event: '$create_alias', properties: { distinct_id: 'attacker-1', alias: 'victim-2' } },
      { event: '$create_alias', properties: { distinct_id: 'attacker-1', alias: 'fresh-device-1' } },
    ],
    true,
  );
  const body = JSON.parse(reply.text) as {
    status: number;
    failed_records: { index: number; field: string }[];
  };
  t.is(body.status, 0);
  t.deepEqual(
    body.failed_records.map((r) => [r.index, r.field]),
    [
      [0, 'properties.alias'],
      [1, 'properties.alias'],
    ],
  );
  for (const id of ['victim-1', 'victim-2']) {
    t.is(
      (await postBanner(s, { userId: id, offerId: '1' })).body.kibotuMetadata.userId,
      id,
      `${id} is still themselves`,
    );
  }
  t.is(
    (await specialOffer(s, 'level_up', 'victim-1'))?.offerId,
    'vip-level-up-bundle',
    "victim-1's own profile",
  );
  // A new id still links, and a retried batch is answered as linked, not refused.
  t.is(
    (await postBanner(s, { userId: 'fresh-device-1', offerId: '1' })).body.kibotuMetadata.userId,
    'attacker-1',
  );
  const again = [
    { event: '$create_alias', properties: { distinct_id: 'attacker-1', alias: 'fresh-device-1' } },
  ];
  t.is((await post(s, '/track', again)).text, '1');
});

test('api-contracts §1: ?ip=0 means do not geolocate the caller, on every endpoint', async (t) => {
  const s = await startBehindProxy(t);
  const headers = {
    'Content-Type': 'application/json',
    Authorization: DEMO_KEY,
    'X-Forwarded-For': '8.8.8.8',
  };
  const banner = async (ip: string) =>
    (await (
      await s.fetch(`/ab/getPersonalizedBanner?ip=${ip}`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ userId: 'geo-0', offerId: '1' }),
      })
    ).json()) as { kibotuMetadata: { countryIso2: string | null } };
  t.is((await banner('1')).kibotuMetadata.countryIso2, 'US');
  t.is((await banner('0')).kibotuMetadata.countryIso2, null);
  const engage = ['geo-1', 'geo-2'].map((id) => ({ $set: { coins: 1 }, $distinct_id: id }));
  await s.fetch('/engage?ip=0', { method: 'POST', headers, body: JSON.stringify(engage) });
  const feature = async (ip: string, distinctId: string) =>
    (await (
      await s.fetch(`/feature?ip=${ip}`, {
        method: 'POST',
        headers,
        body: JSON.stringify([{ featureName: 'special_offer_on_low_balance', distinct_id: distinctId }]),
      })
    ).json()) as { specialOffer: { kibotuMetadata: { countryIso2: string | null } } };
  t.is((await feature('1', 'geo-1')).specialOffer.kibotuMetadata.countryIso2, 'US');
  t.is((await feature('0', 'geo-2')).specialOffer.kibotuMetadata.countryIso2, null);
});

test('kibotu-unity Kibotu/Asset.cs IsControlGroup: a banner outside every experiment never reads as control', async (t) => {
  const s = await startTestService(t);
  const reply = await postBanner(s, { userId: 'outside-1', offerId: '1' });
  t.is(reply.body.kibotuMetadata.experimentId, '');
  t.not(reply.body.kibotuMetadata.variationId, 0);
});
