/**
 * The Kibotu Unity SDK's requests (KibotuAI/kibotu-unity), as its code puts them on the
 * wire, replayed against a test service and judged as the SDK judges them.
 *
 * - Controller.cs SendData: every Config.BatchSize (50) queued items are POSTed as one JSON
 *   array to Config.TrackUrl (`/track`) or Config.EngageUrl (`/engage`) — no query string —
 *   with the raw key in Authorization; any non-2xx reply makes it back off (1 min doubling
 *   to 10 min) with a retry counter shared by events and people.
 * - Controller.cs DoTrack: `{event, properties{…_kb_lib…, distinct_id, time (ms)}, distinct_id,
 *   _kb_metadata{_kb_event_id (random hex), _kb_session_id, _kb_session_seq_id,
 *   _kb_session_start_sec}}`; DoEngage: `{_kb_<op>: …, distinct_id, time, _kb_metadata}`.
 * - Storage.cs EnqueueTrackingData adds `id` = "Kibotu.Event<n>" / "Kibotu.People<n>"; the
 *   counter restarts at 0 once the queue is empty, so the same id comes back for new events.
 * - KibotuAPI.cs: Alias → `_kb_create_alias`, Identify → `_kb_identify`, OptInTracking →
 *   `_kb_opt_in`; People.Set/SetOnce/Increment/Append/Union/Unset/TrackCharge/ClearCharges/
 *   DeleteUser → `_kb_set`/`_kb_set_once`/`_kb_add`/`_kb_append`/`_kb_union`/`_kb_unset`/
 *   `_kb_append{_kb_transactions}`/`_kb_unset["_kb_transactions"]`/`_kb_delete`.
 */
import test from 'ava';
import { ProfileDocumentStore } from '../../src/banner/store/profile-document-store.js';
import { DEMO_KEY } from '../helpers/banner-client.js';
import { startTestService, type TestService } from '../helpers/start-test-service.js';

const NOW = Date.now();
const SESSION = { _kb_session_id: '3f2a1b', _kb_session_start_sec: Math.floor(NOW / 1000) - 60 };
const LIB = { _kb_lib: 'unity', _kb_lib_version: '0.9.1', _kb_os: 'Android', _kb_screen_width: 1080 };

let seq = 0;
/** One DoTrack item as Storage.cs queues it (`n` is the queue counter). */
function unityEvent(n: number, event: string, distinctId: string, properties: Record<string, unknown> = {}) {
  seq += 1;
  return {
    event,
    properties: { ...properties, ...LIB, distinct_id: distinctId, time: NOW + seq },
    distinct_id: distinctId,
    _kb_metadata: { _kb_event_id: (0x1000 + seq).toString(16), ...SESSION, _kb_session_seq_id: seq },
    id: `Kibotu.Event${n}`,
  };
}

/** One DoEngage item as Storage.cs queues it. */
function unityEngage(n: number, distinctId: string, operation: Record<string, unknown>) {
  seq += 1;
  return {
    ...operation,
    distinct_id: distinctId,
    time: NOW + seq,
    _kb_metadata: { _kb_event_id: (0x2000 + seq).toString(16), ...SESSION, _kb_session_seq_id: seq },
    id: `Kibotu.People${n}`,
  };
}

/** SendData's POST; the SDK counts any 2xx as delivered (UnityWebRequest.Result.Success). */
async function sendData(s: TestService, url: '/track' | '/engage', batch: unknown[]) {
  const res = await s.fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: DEMO_KEY },
    body: JSON.stringify(batch),
  });
  return { ok: res.status >= 200 && res.status < 300, status: res.status, text: await res.text() };
}

async function storedEvents(s: TestService): Promise<number> {
  const text = await (await s.fetch('/metrics')).text();
  const line = text.split('\n').find((l) => l.startsWith('offerd_banner_tracked_events_total{app="demo"}'));
  return Number(line?.split(' ')[1] ?? 0);
}

async function specialOffer(s: TestService, trigger: string, distinctId: string) {
  const res = await s.fetch('/feature?ip=0&verbose=0', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: DEMO_KEY },
    body: JSON.stringify([
      { featureName: `special_offer_on_${trigger}`, distinct_id: distinctId, predict_id: 'p' },
    ]),
  });
  return ((await res.json()) as { specialOffer: { offerId: string } | null }).specialOffer;
}

test('kibotu-unity Kibotu/KibotuAPI.cs + Controller.cs SendData: every Track and People request is delivered (2xx)', async (t) => {
  const s = await startTestService(t);
  const events = [
    unityEvent(0, 'AppStart', 'u-unity'),
    unityEvent(1, '_kb_identify', 'u-unity', { _kb_anon_distinct_id: 'anon-device-1' }),
    unityEvent(2, '_kb_create_alias', 'u-unity', { alias: 'u-unity-alias' }),
    unityEvent(3, '_kb_opt_in', 'u-unity'),
    unityEvent(4, 'MatchFinished', 'u-unity', { score: 12 }),
  ];
  const people = [
    unityEngage(0, 'u-unity', { _kb_set: { vip_level: 5, _kb_android_lib_version: '0.9.1' } }),
    unityEngage(1, 'u-unity', { _kb_set_once: { first_level: 1 } }),
    unityEngage(2, 'u-unity', { _kb_add: { coins: 30 } }),
    unityEngage(3, 'u-unity', { _kb_append: { levels: 7 } }),
    unityEngage(4, 'u-unity', { _kb_union: { modes: ['duel'] } }),
    unityEngage(5, 'u-unity', { _kb_unset: ['first_level'] }),
    unityEngage(6, 'u-unity', {
      _kb_append: { _kb_transactions: { _kb_amount: 4.99, _kb_time: new Date(NOW).toISOString() } },
    }),
    unityEngage(7, 'u-unity', { _kb_unset: ['_kb_transactions'] }),
    unityEngage(8, 'u-gone', { _kb_delete: '' }),
  ];
  const track = await sendData(s, '/track', events);
  t.true(track.ok, `/track ${track.status} ${track.text}`);
  const engage = await sendData(s, '/engage', people);
  t.true(engage.ok, `/engage ${engage.status} ${engage.text}`);
  // _kb_set reached the profile as a rule fact; _kb_create_alias links the alias to it.
  t.is((await specialOffer(s, 'level_up', 'u-unity-alias'))?.offerId, 'vip-level-up-bundle');
  // AppStart, _kb_identify, _kb_opt_in and MatchFinished are events; the alias is a link.
  t.is(await storedEvents(s), 4);
});

test('kibotu-unity Kibotu/Storage.cs id: a re-sent batch stores nothing twice, a reused queue id with a new event is stored', async (t) => {
  const s = await startTestService(t);
  const first = [unityEvent(0, 'MatchFinished', 'u-q'), unityEvent(1, 'MatchFinished', 'u-q')];
  t.true((await sendData(s, '/track', first)).ok);
  // A lost reply: SendData keeps the items and sends the same batch again later.
  t.true((await sendData(s, '/track', first)).ok);
  t.is(await storedEvents(s), 2);
  // The queue emptied, so the counter restarted: new events come as Kibotu.Event0 and 1 again.
  const later = [unityEvent(0, 'MatchFinished', 'u-q'), unityEvent(1, 'MatchFinished', 'u-q')];
  t.true((await sendData(s, '/track', later)).ok);
  t.is(await storedEvents(s), 4);
});

test('kibotu-unity Kibotu/Controller.cs SendData: one bad item does not make the SDK retry the whole batch', async (t) => {
  const s = await startTestService(t);
  const bad = { ...unityEvent(1, 'MatchFinished', 'u-b'), properties: { distinct_id: 'u-b', time: 'soon' } };
  const reply = await sendData(s, '/track', [
    unityEvent(0, 'AppStart', 'u-b'),
    bad,
    unityEvent(2, 'AppStart', 'u-b'),
  ]);
  // A non-2xx would stall this queue and, through the shared retry counter, the people queue too.
  t.true(reply.ok, `${reply.status} ${reply.text}`);
  t.is(await storedEvents(s), 2);
  const engage = await sendData(s, '/engage', [
    unityEngage(0, 'u-b', { _kb_add: { coins: 'lots' } }),
    unityEngage(1, 'u-b', { _kb_set: { coins: 500 } }),
  ]);
  t.true(engage.ok, `${engage.status} ${engage.text}`);
  t.is((await specialOffer(s, 'low_balance', 'u-b'))?.offerId, undefined, '500 coins is no low balance');
});

/** The user's profile as the service stored it (its lowdb files, read afresh: what a restart would see). */
async function profileOf(s: TestService, distinctId: string): Promise<Record<string, unknown>> {
  const stored = await ProfileDocumentStore.open(s.config.dataDir);
  return (await stored.profile('demo', 'user', distinctId)) ?? {};
}

/** `batch` as JSON with `item` spliced in at `at` as raw text (a key JSON.stringify cannot write). */
function withRawItem(batch: unknown[], at: number, item: string): string {
  const parts = batch.map((b) => JSON.stringify(b));
  parts.splice(at, 0, item);
  return `[${parts.join(',')}]`;
}

test('kibotu-unity Kibotu/Controller.cs SendData: an item past the edge bounds (a 70,000-character property, 1,001 keys, 40 levels, a __proto__ key) is refused alone, the batch answered 2xx', async (t) => {
  const s = await startTestService(t);
  let deep: Record<string, unknown> = { leaf: 1 };
  for (let i = 0; i < 40; i++) deep = { deep };
  const many = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, i]));
  const batch = [
    unityEvent(0, 'AppStart', 'u-e'),
    unityEvent(1, 'Chat', 'u-e', { text: 'x'.repeat(70_000) }),
    unityEvent(2, 'Deep', 'u-e', deep),
    unityEvent(3, 'Many', 'u-e', many),
    unityEvent(5, 'AppStart', 'u-e'),
  ];
  const proto = JSON.stringify(unityEvent(4, 'Proto', 'u-e')).replace(
    '"properties":{',
    '"properties":{"__proto__":{"admin":true},',
  );
  const res = await s.fetch('/track?verbose=1', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: DEMO_KEY },
    body: withRawItem(batch, 4, proto),
  });
  // A non-2xx stalled this device's queue for good: the SDK resends the same 50 oldest items.
  t.is(res.status, 200);
  const reply = (await res.json()) as {
    status: number;
    failed_records: { index: number; field: string; message: string }[];
  };
  t.is(reply.status, 0);
  t.deepEqual(
    reply.failed_records.map((r) => r.index),
    [1, 2, 3, 4],
  );
  t.regex(reply.failed_records[0]?.message ?? '', /longer than 65536 characters/);
  t.regex(reply.failed_records[3]?.field ?? '', /__proto__/);
  t.is(await storedEvents(s), 2, 'the two good events of the batch are stored');
  t.is(({} as Record<string, unknown>).admin, undefined);

  // The same for the people queue; and a batch whose first item is refused still names its app by the next one's key.
  const engage = await s.fetch('/engage?verbose=1', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify([
      { ...unityEngage(0, 'u-e', { _kb_set: { bio: 'y'.repeat(70_000) } }), _kb_token: DEMO_KEY },
      { ...unityEngage(1, 'u-e', { _kb_set: { coins: 7 } }), _kb_token: DEMO_KEY },
    ]),
  });
  t.is(engage.status, 200);
  t.deepEqual(
    ((await engage.json()) as { failed_records: { index: number }[] }).failed_records.map((r) => r.index),
    [0],
  );
  t.like(await profileOf(s, 'u-e'), { coins: 7 });
  t.false('bio' in (await profileOf(s, 'u-e')));
});

test('kibotu-unity Kibotu/KibotuAPI.cs People.TrackCharge then ClearCharges leaves no charges (as node’s track_charge then clear_charges)', async (t) => {
  const s = await startTestService(t);
  const charge = (n: number, amount: number) =>
    unityEngage(n, 'u-charges', {
      _kb_append: { _kb_transactions: { _kb_amount: amount, _kb_time: new Date(NOW).toISOString() } },
    });
  t.true((await sendData(s, '/engage', [charge(0, 4.99), charge(1, 9.99)])).ok);
  const charged = await profileOf(s, 'u-charges');
  t.deepEqual(
    (charged.$transactions as { $amount: number }[]).map((c) => c.$amount),
    [4.99, 9.99],
    'TrackCharge appends to the transactions',
  );
  // ClearCharges is Unset("_kb_transactions"): a property name inside the list, not a key.
  t.true(
    (await sendData(s, '/engage', [unityEngage(2, 'u-charges', { _kb_unset: ['_kb_transactions'] })])).ok,
  );
  t.false('$transactions' in (await profileOf(s, 'u-charges')), 'no charges are left');
  // The node SDK's people.track_charge / clear_charges on the same profile agree.
  const node = (data: Record<string, unknown>) =>
    s.fetch('/engage?ip=0&verbose=0', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: DEMO_KEY },
      body: JSON.stringify([{ ...data, $distinct_id: 'u-charges' }]),
    });
  t.is(await (await node({ $append: { $transactions: { $amount: 19.99 } } })).text(), '1');
  t.deepEqual((await profileOf(s, 'u-charges')).$transactions, [{ $amount: 19.99 }]);
  t.is(await (await node({ $set: { $transactions: [] } })).text(), '1');
  t.deepEqual((await profileOf(s, 'u-charges')).$transactions, [], 'no charges are left');
});

/** Unity's banner request (KibotuAPI.cs GetPersonalizedBanner) for the champion offer. */
async function championBanner(s: TestService, userId: string) {
  const res = await s.fetch('/ab/getPersonalizedBanner', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: DEMO_KEY },
    body: JSON.stringify({ userId, offerId: '8622', prizeKey: 'gems_500', activeChamp: 'ahri' }),
  });
  const body = (await res.json()) as { kibotuMetadata: { experimentId: string; variationId: number } };
  return `${body.kibotuMetadata.experimentId}:${body.kibotuMetadata.variationId}`;
}

test('kibotu-unity Kibotu/KibotuAPI.cs Identify: the signed-in player keeps the variation and purchases they had on the device', async (t) => {
  const s = await startTestService(t);
  const before: string[] = [];
  const after: string[] = [];
  for (let i = 0; i < 16; i++) {
    const device = `dev-identify-${i}`;
    before.push(await championBanner(s, device));
    // Identify(id): the purchase queued under the device id, then _kb_identify under the new id.
    const sent = await sendData(s, '/track', [
      unityEvent(0, 'SpecialOfferPopupPurchased', device),
      unityEvent(1, '_kb_identify', `player-identify-${i}`, { _kb_anon_distinct_id: device }),
    ]);
    t.true(sent.ok, `/track ${sent.status} ${sent.text}`);
    t.is(sent.text, '1', 'every record stored');
    after.push(await championBanner(s, `player-identify-${i}`));
  }
  // On the old code the new id was bucketed afresh: about half changed variation (control left control).
  t.deepEqual(after, before);
  const explained = await s.fetch('/admin/apps/demo/explain', {
    method: 'POST',
    headers: { Authorization: 'Bearer demo-admin-token', 'content-type': 'application/json' },
    body: JSON.stringify({ api: 'banner', user: 'player-identify-0' }),
  });
  const why = (await explained.json()) as { why: { facts: { user: { purchases: number } } } };
  t.is(why.why.facts.user.purchases, 1, "the device's purchase is the player's");

  // A returning player signing in on a new device has data of their own: the ids stay apart, no error.
  const returning = await sendData(s, '/track', [
    unityEvent(0, '_kb_identify', 'player-identify-0', { _kb_anon_distinct_id: 'dev-identify-fresh' }),
  ]);
  t.is(returning.text, '1');
  t.is(await championBanner(s, 'player-identify-0'), before[0] ?? 'none');
});
