/**
 * Every call of the Kibotu node SDK's `.d.ts` (KibotuAI/kibotu-node 0.9.6,
 * lib/kibotu-node.d.ts), as the wire request its code sends (lib/kibotu-node.js
 * send_request: POST `{endpoint}?ip=0|1&verbose=0|1`, JSON list body, the raw key in
 * Authorization; lib/people.js, lib/groups.js, lib/profile_helpers.js build the bodies),
 * replayed against a test service and judged exactly as send_request judges the reply.
 */
import test, { type ExecutionContext } from 'ava';
import { DEMO_KEY } from '../helpers/banner-client.js';
import { startTestService, type TestService } from '../helpers/start-test-service.js';

const LIB = { token: DEMO_KEY, mp_lib: 'node', $lib_version: '0.9.6' };
const T = 1_764_000_000; // seconds: ensure_timestamp sends Date as seconds

interface Wire {
  call: string;
  endpoint: string;
  /** send_request wraps every payload in a list. */
  data: unknown[];
}

const WIRE: Wire[] = [
  { call: 'track(eventName)', endpoint: '/track', data: [{ event: 'played_game', properties: { ...LIB } }] },
  {
    call: 'track(eventName, properties)',
    endpoint: '/track',
    data: [{ event: 'AppStart', properties: { distinct_id: 'n-1', time: T, $insert_id: 'ins-1', ...LIB } }],
  },
  {
    call: 'track_batch(events)',
    endpoint: '/track',
    data: Array.from({ length: 50 }, (_, i) => ({
      event: 'MatchFinished',
      properties: { distinct_id: `n-${i % 5}`, time: T + i, token: DEMO_KEY },
    })),
  },
  {
    call: 'import(eventName, time, properties)',
    endpoint: '/import',
    data: [{ event: 'OldPurchase', properties: { distinct_id: 'n-1', time: T - 86_400 * 60, ...LIB } }],
  },
  {
    call: 'import_batch(events)',
    endpoint: '/import',
    data: [1, 2, 3].map((i) => ({
      event: 'Old',
      properties: { distinct_id: 'n-2', time: T - i, token: DEMO_KEY },
    })),
  },
  {
    call: 'alias(distinctId, alias)',
    endpoint: '/track',
    data: [{ event: '$create_alias', properties: { distinct_id: 'n-1', alias: 'n-1-alias', ...LIB } }],
  },
  {
    call: 'people.set',
    endpoint: '/engage',
    data: [{ $set: { vip_level: 3, plan: 'gold' }, $distinct_id: 'n-1' }],
  },
  {
    // profile_helpers.js merge_modifiers: every Modifiers key of the .d.ts, $time as seconds.
    call: 'people.set(distinctId, properties, modifiers)',
    endpoint: '/engage',
    data: [
      {
        $set: { plan: 'gold' },
        $distinct_id: 'n-1',
        $ignore_alias: true,
        $ignore_time: true,
        $ip: '5.9.0.1',
        $time: T,
        $latitude: 52.52,
        $longitude: 13.4,
      },
    ],
  },
  {
    // profile_helpers.js _set: a property named `ip` moves to $ip, leaving $set empty.
    call: "people.set(distinctId, 'ip', value)",
    endpoint: '/engage',
    data: [{ $set: {}, $distinct_id: 'n-1', $ip: '5.9.0.1' }],
  },
  {
    call: 'people.increment(distinctId, propertyName)',
    endpoint: '/engage',
    data: [{ $add: { page_views: 1 }, $distinct_id: 'n-1' }],
  },
  {
    // people.js track_charge: $ignore_time / $ip in properties become modifiers.
    call: 'people.track_charge(distinctId, amount, {$ignore_time, $ip})',
    endpoint: '/engage',
    data: [{ $append: { $transactions: { $amount: 5 } }, $distinct_id: 'n-1', $ignore_time: true, $ip: '' }],
  },
  {
    call: 'people.set_once',
    endpoint: '/engage',
    data: [{ $set_once: { first_seen: 'x' }, $distinct_id: 'n-1' }],
  },
  { call: 'people.increment', endpoint: '/engage', data: [{ $add: { coins: 5 }, $distinct_id: 'n-1' }] },
  { call: 'people.append', endpoint: '/engage', data: [{ $append: { levels: 7 }, $distinct_id: 'n-1' }] },
  {
    call: 'people.union',
    endpoint: '/engage',
    data: [{ $union: { browsers: ['firefox'] }, $distinct_id: 'n-1' }],
  },
  {
    call: 'people.remove',
    endpoint: '/engage',
    data: [{ $remove: { browsers: 'firefox' }, $distinct_id: 'n-1' }],
  },
  { call: 'people.unset', endpoint: '/engage', data: [{ $unset: ['plan'], $distinct_id: 'n-1' }] },
  {
    call: 'people.track_charge',
    endpoint: '/engage',
    data: [
      {
        $append: { $transactions: { $amount: 29.99, $time: '2026-11-20T12:00:00.000Z' } },
        $distinct_id: 'n-1',
      },
    ],
  },
  {
    call: 'people.clear_charges',
    endpoint: '/engage',
    data: [{ $set: { $transactions: [] }, $distinct_id: 'n-1', $ignore_time: true }],
  },
  { call: 'people.delete_user', endpoint: '/engage', data: [{ $delete: '', $distinct_id: 'n-9' }] },
  {
    call: 'groups.set',
    endpoint: '/groups',
    data: [{ $set: { Industry: 'widgets' }, $group_key: 'company', $group_id: 'Acme Inc.' }],
  },
  {
    call: 'groups.set_once',
    endpoint: '/groups',
    data: [{ $set_once: { founded: 1999 }, $group_key: 'company', $group_id: 'Acme Inc.' }],
  },
  {
    call: 'groups.union',
    endpoint: '/groups',
    data: [{ $union: { products: ['anvil'] }, $group_key: 'company', $group_id: 'Acme Inc.' }],
  },
  {
    call: 'groups.remove',
    endpoint: '/groups',
    data: [{ $remove: { products: 'anvil' }, $group_key: 'company', $group_id: 'Acme Inc.' }],
  },
  {
    call: 'groups.unset',
    endpoint: '/groups',
    data: [{ $unset: ['products'], $group_key: 'company', $group_id: 'Acme Inc.' }],
  },
  {
    call: 'groups.delete_group',
    endpoint: '/groups',
    data: [{ $delete: '', $group_key: 'company', $group_id: 'Acme Inc.' }],
  },
  {
    call: 'get_feature(featureName, distinct_id, predict_id, propOverrides)',
    endpoint: '/feature',
    data: [
      { featureName: 'new_shop_layout', distinct_id: 'n-1', predict_id: 'p-1', propOverrides: { level: 3 } },
    ],
  },
  {
    // A special offer decided with its context: granted, and answered as get_feature expects.
    call: 'get_feature(special_offer_on_<trigger>, distinct_id, predict_id, propOverrides)',
    endpoint: '/feature',
    data: [
      {
        featureName: 'special_offer_on_level_up',
        distinct_id: 'n-1',
        predict_id: 'p-2',
        propOverrides: { level: 12 },
      },
    ],
  },
];

async function send(
  s: TestService,
  endpoint: string,
  data: unknown,
  verbose: boolean,
  extraQuery = '',
): Promise<string> {
  const res = await s.fetch(`${endpoint}?ip=0&verbose=${verbose ? 1 : 0}${extraQuery}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: DEMO_KEY },
    body: JSON.stringify(data),
  });
  return res.text();
}

/** send_request's own verdict on a reply (lib/kibotu-node.js, res.on('end')): an error text or undefined. */
function sdkError(data: string, verbose: boolean): string | undefined {
  if (!verbose) return data !== '1' ? `Kibotu Server Error: ${data}` : undefined;
  try {
    const result = JSON.parse(data) as { status?: unknown; error?: unknown };
    return result.status !== 1 ? `Kibotu Server Error: ${result.error}` : undefined;
  } catch {
    return 'Could not parse response from Kibotu';
  }
}

async function replayAll(t: ExecutionContext, verbose: boolean, extraQuery = ''): Promise<void> {
  const s = await startTestService(t);
  for (const wire of WIRE) {
    const reply = await send(s, wire.endpoint, wire.data, verbose, extraQuery);
    t.is(sdkError(reply, verbose), undefined, `${wire.call} → ${wire.endpoint}: ${reply}`);
  }
}

test('kibotu-node lib/kibotu-node.d.ts: every call succeeds as the SDK judges it (verbose off: body 1)', (t) =>
  replayAll(t, false));

test('kibotu-node lib/kibotu-node.d.ts: every call succeeds as the SDK judges it (verbose on: status 1)', (t) =>
  replayAll(t, true));

// lib/kibotu-node.js send_request: `init(token, {test: true})` adds `test=1` to every query.
test('kibotu-node lib/kibotu-node.js config.test: every call with &test=1 succeeds as the SDK judges it', (t) =>
  replayAll(t, false, '&test=1'));

test('kibotu-node get_special_offer: parses the JSON reply and resolves res.specialOffer', async (t) => {
  const s = await startTestService(t);
  // people.set first, so the demo's VIP level-up rule applies (user.properties.vip_level).
  t.is(await send(s, '/engage', [{ $set: { vip_level: 5 }, $distinct_id: 'sdk-vip' }], false), '1');
  const data = [{ featureName: 'special_offer_on_level_up', distinct_id: 'sdk-vip', predict_id: 'p-9' }];
  const reply = JSON.parse(await send(s, '/feature', data, false)) as {
    specialOffer?: Record<string, unknown>;
  };
  const offer = reply?.specialOffer || {};
  t.is(offer.offerId, 'vip-level-up-bundle');
  t.is(offer.trigger, 'level_up');
  t.like(offer.kibotuMetadata, { userId: 'sdk-vip', offerId: 'vip-level-up-bundle', predictId: 'p-9' });
  t.not((offer.kibotuMetadata as { variationId: number }).variationId, 0, 'never the control label');
  const none = [{ featureName: 'special_offer_on_unknown_trigger', distinct_id: 'sdk-vip', predict_id: 'p' }];
  t.deepEqual(JSON.parse(await send(s, '/feature', none, false)), {
    specialOffer: null,
    status: 1,
    error: null,
  });
});

// The newest lib/kibotu-node.js sends /feature and /ab/getPersonalizedBanner with
// `jsonObjectRequest: true`: the body is the object itself, not a list of one.
test('kibotu-node lib/kibotu-node.js getFeature / get_feature (jsonObjectRequest): an object body succeeds as the SDK judges it', async (t) => {
  const s = await startTestService(t);
  const data = {
    featureName: 'new_shop_layout',
    distinct_id: 'n-1',
    predict_id: 'p-1',
    propOverrides: { level: 3 },
  };
  for (const verbose of [false, true]) {
    const reply = await send(s, '/feature', data, verbose);
    t.is(sdkError(reply, verbose), undefined, reply);
  }
});

test('kibotu-node lib/kibotu-node.js getSpecialOffer (jsonObjectRequest): resolves res.specialOffer from an object body', async (t) => {
  const s = await startTestService(t);
  t.is(await send(s, '/engage', [{ $set: { vip_level: 4 }, $distinct_id: 'sdk-obj' }], false), '1');
  const data = { featureName: 'special_offer_on_level_up', distinct_id: 'sdk-obj', predict_id: 'p-2' };
  const reply = JSON.parse(await send(s, '/feature', data, false)) as { specialOffer?: { offerId?: string } };
  t.is(reply?.specialOffer?.offerId, 'vip-level-up-bundle');
});

test('kibotu-node lib/kibotu-node.js get_personalized_banner: the five-argument body gets a JSON banner (parseJsonResponse)', async (t) => {
  const s = await startTestService(t);
  // get_personalized_banner(userId, activeChamp, offerId, prizeTypes, postalCode); undefined
  // arguments vanish in JSON.stringify, so the one-argument-short call is replayed too.
  const bodies = [
    { userId: 'n-banner', activeChamp: 'Ahri', offerId: '8622', prizeTypes: ['skin'], postalCode: '10115' },
    { userId: 'n-banner-2', activeChamp: 'Ahri', offerId: 8622 },
  ];
  for (const body of bodies) {
    const res = await s.fetch('/ab/getPersonalizedBanner?ip=0&verbose=0', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: DEMO_KEY },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    t.is(res.status, 200, text);
    const banner = JSON.parse(text) as { imageFullUrl?: string; kibotuMetadata?: { userId?: string } };
    t.is(typeof banner.imageFullUrl, 'string');
    t.is(banner.kibotuMetadata?.userId, body.userId);
  }
});
