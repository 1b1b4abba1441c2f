/**
 * Explaining a stored banner player reads their /engage profile properties and aliases
 * through the store port, as serving does: a banner that depends on `user.properties.*`
 * is explained exactly as /getPersonalizedBanner served it.
 */
import test from 'ava';
import { DEMO_KEY } from '../helpers/banner-client.js';
import { ADMIN, startTestService } from '../helpers/start-test-service.js';
import { type Json, post, REQUEST, rulesWithVipBanner } from '../helpers/vip-banner.js';

test('explain sees the /engage properties serving used, also for an alias, and names the banner that was served', async (t) => {
  const s = await startTestService(t, { env: { OFFERD_RULES_DIR: await rulesWithVipBanner(t) } });
  const sdk = { Authorization: DEMO_KEY };
  const engaged = await post(
    s,
    '/engage?ip=0&verbose=1',
    [{ $set: { vip_level: 4 }, $distinct_id: 'vip-1' }],
    sdk,
  );
  t.is(engaged.body.status, 1);
  const aliased = await post(
    s,
    '/track?ip=0&verbose=1',
    [{ event: '$create_alias', properties: { distinct_id: 'vip-1', alias: 'vip-device' } }],
    sdk,
  );
  t.is(aliased.body.status, 1);

  const served = await post(s, '/getPersonalizedBanner?ip=0', { userId: 'vip-1', ...REQUEST }, sdk);
  t.is(served.status, 200);
  t.regex(String(served.body.imageFullUrl), /\/vip-lounge\//, 'serving used the profile property');

  for (const user of ['vip-1', 'vip-device']) {
    const { status, body } = await post(
      s,
      '/admin/apps/demo/explain',
      { api: 'banner', user, request: REQUEST },
      ADMIN,
    );
    t.is(status, 200, user);
    t.is(body.why.facts.user.properties.vip_level, 4, `${user}: the stored property is a fact`);
    t.is(body.decision.bannerId, 'vip-lounge', user);
    t.is(body.decision.imageFullUrl, served.body.imageFullUrl, `${user}: the banner serving chose`);
    t.is(body.decision.userId, 'vip-1', `${user}: decided for the distinct id, as serving does`);
    t.is(body.user.loaded['profiles.profiles'], 1, user);
    t.is(body.user.loaded['profiles.aliases'], user === 'vip-device' ? 1 : 0, user);
    t.is(
      body.user.aliasOf,
      user === 'vip-device' ? 'vip-1' : undefined,
      `${user}: an alias says whose it is`,
    );
    const vip = (body.why.banners as Json[]).find((b) => b.id === 'vip-lounge');
    t.is(vip?.verdict, 'chosen', user);
  }
  // The alias is served the same banner as its distinct id.
  const viaAlias = await post(s, '/getPersonalizedBanner?ip=0', { userId: 'vip-device', ...REQUEST }, sdk);
  t.is(viaAlias.body.imageFullUrl, served.body.imageFullUrl);
});

test('a player known only by /engage properties is explained with them, not refused as unknown', async (t) => {
  const s = await startTestService(t, { env: { OFFERD_RULES_DIR: await rulesWithVipBanner(t) } });
  await post(s, '/engage?ip=0', [{ $set: { vip_level: 7 }, $distinct_id: 'engaged-only' }], {
    Authorization: DEMO_KEY,
  });
  const { status, body } = await post(
    s,
    '/admin/apps/demo/explain',
    { api: 'banner', user: 'engaged-only', request: REQUEST },
    ADMIN,
  );
  t.is(status, 200);
  t.is(body.why.facts.user.properties.vip_level, 7);
  t.is(body.decision.bannerId, 'vip-lounge');
  const unknown = await post(
    s,
    '/admin/apps/demo/explain',
    { api: 'banner', user: 'nobody', request: REQUEST },
    ADMIN,
  );
  t.is(unknown.status, 404, 'a user with nothing stored is still "no such user"');
});

test('the decision log replays a banner decision with the properties serving saw: raising the VIP bar changes it', async (t) => {
  const s = await startTestService(t, {
    env: { OFFERD_RULES_DIR: await rulesWithVipBanner(t), OFFERD_DECISION_LOG_SAMPLE_RATE: '1' },
  });
  const sdk = { Authorization: DEMO_KEY };
  await post(s, '/engage?ip=0', [{ $set: { vip_level: 4 }, $distinct_id: 'vip-1' }], sdk);
  const served = await post(s, '/getPersonalizedBanner?ip=0', { userId: 'vip-1', ...REQUEST }, sdk);
  t.regex(String(served.body.imageFullUrl), /\/vip-lounge\//);
  const draft = await rulesWithVipBanner(t, 5);
  // The decision is recorded after the answer: wait until the log holds it.
  let banner: Json = {};
  for (let tries = 0; tries < 50 && !(banner.requests > 0); tries++) {
    const { status, body } = await post(s, '/admin/apps/demo/impact', { rules: draft, api: 'banner' }, ADMIN);
    t.is(status, 200, JSON.stringify(body));
    banner = body.byApi.banner ?? {};
    if (!(banner.requests > 0)) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  t.is(banner.requests, 1);
  t.is(banner.changed, 1, 'vip_level 4 is below the draft’s bar of 5');
  const vipBefore = Object.keys(banner.mixBefore).filter((k) => k.startsWith('vip-lounge'));
  t.is(vipBefore.length, 1, 'the live rules replayed serve the VIP banner, as serving did');
  t.false(Object.keys(banner.mixAfter).some((k) => k.startsWith('vip-lounge')));
});
