/**
 * Linking ids (`$create_alias`, Unity's `_kb_identify`) is open to anyone holding the app's
 * public key, so a link may only give a new id to an existing user: never take a player who
 * already has data, nor merge anyone into the shared anonymous user (hostile probe).
 */
import test from 'ava';
import { DEMO_KEY, postTrack } from '../helpers/banner-client.js';
import { startTestService, type TestService } from '../helpers/start-test-service.js';

async function feature(s: TestService, distinctId: string, predictId: string) {
  const res = await s.fetch('/feature?ip=0&verbose=0', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: DEMO_KEY },
    body: JSON.stringify([
      { featureName: 'special_offer_on_level_up', distinct_id: distinctId, predict_id: predictId },
    ]),
  });
  return ((await res.json()) as { specialOffer: { offerId: string } | null }).specialOffer?.offerId ?? null;
}

async function bannerUser(s: TestService, userId: string): Promise<string> {
  const res = await s.fetch('/ab/getPersonalizedBanner', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: DEMO_KEY },
    body: JSON.stringify({ userId, offerId: '8622' }),
  });
  return ((await res.json()) as { kibotuMetadata: { userId: string } }).kibotuMetadata.userId;
}

const identify = (identified: string, anonymous: unknown) => ({
  event: '_kb_identify',
  properties: { distinct_id: identified, _kb_anon_distinct_id: anonymous, time: Date.now() },
});
const alias = (alias: string, distinctId: string) => ({
  event: '$create_alias',
  properties: { distinct_id: distinctId, alias, time: Date.now() },
});

test('a player served only a special offer is not a new id: neither identify nor an alias takes them over', async (t) => {
  const s = await startTestService(t);
  const granted = await feature(s, 'victim', 'pv');
  t.truthy(granted);
  // The attacker's own id, with data of its own.
  t.is(await bannerUser(s, 'attacker'), 'attacker');
  const viaIdentify = await postTrack(s, [identify('victim', 'attacker')], { verbose: true });
  t.like(viaIdentify.body, { status: 1 });
  const viaAlias = await postTrack(s, [alias('victim', 'attacker')], { verbose: true });
  t.like(viaAlias.body, { status: 0 });
  t.regex(viaAlias.text, /already a user with data of its own/);
  // On the old code both linked: the victim's banner answered as the attacker, the grant's replay was null.
  t.is(await bannerUser(s, 'victim'), 'victim');
  t.is(await feature(s, 'victim', 'pv'), granted, 'a retry with the same predict_id replays the grant');
});

test('no one is linked to the shared anonymous user, and an identify names a valid anonymous id', async (t) => {
  const s = await startTestService(t);
  // Events without an id belong to $anonymous.
  t.is((await postTrack(s, [{ event: 'AppStart', properties: { time: Date.now() } }])).text, '1');
  t.like((await postTrack(s, [identify('fresh-a', '$anonymous')], { verbose: true })).body, { status: 1 });
  t.is(await bannerUser(s, 'fresh-a'), 'fresh-a');
  const aliased = await postTrack(s, [alias('fresh-b', '$anonymous')], { verbose: true });
  t.like(aliased.body, { status: 0 });
  t.is(await bannerUser(s, 'fresh-b'), 'fresh-b');

  // An anonymous id is an id: at most 256 characters, no control characters (it was linked and echoed back).
  for (const bad of ['a\nb\u0000c', 'x'.repeat(300)]) {
    const res = await postTrack(s, [identify('fresh-c', bad)], { verbose: true });
    t.is(res.status, 200);
    t.like(res.body, { status: 0 });
    t.regex(res.text, /_kb_anon_distinct_id/);
  }
  t.is(await bannerUser(s, 'fresh-c'), 'fresh-c');
});

test('an id other ids are linked to is a user: it is never made an alias itself, so a chain cannot split a player', async (t) => {
  const s = await startTestService(t);
  // A→B while B is new, then a link of B to C: A's data would land under B, which answered as C.
  t.like((await postTrack(s, [alias('chain-a', 'chain-b')], { verbose: true })).body, { status: 1 });
  t.is(await bannerUser(s, 'chain-c'), 'chain-c');
  t.like((await postTrack(s, [identify('chain-b', 'chain-c')], { verbose: true })).body, { status: 1 });
  const linked = await postTrack(s, [alias('chain-b', 'chain-c')], { verbose: true });
  t.like(linked.body, { status: 0 });
  t.regex(linked.text, /already a user with data of its own/);
  // A and B are one player, and C another (the old code: B answered as C, A as B).
  t.is(await bannerUser(s, 'chain-a'), 'chain-b');
  t.is(await bannerUser(s, 'chain-b'), 'chain-b');
  t.is(await bannerUser(s, 'chain-c'), 'chain-c');
});
