/** On PostgreSQL too, explain reads a banner player's /engage properties and alias through the store port. */
import test from 'ava';
import { DEMO_KEY } from '../helpers/banner-client.js';
import { usePostgres } from '../helpers/postgres-server.js';
import { ADMIN, startTestService } from '../helpers/start-test-service.js';
import { post, REQUEST, rulesWithVipBanner } from '../helpers/vip-banner.js';

const server = usePostgres(test);

test('PostgreSQL: explain by distinct id and by alias sees vip_level and names the banner serving chose', async (t) => {
  const s = await startTestService(t, {
    env: {
      OFFERD_STORE: 'postgres',
      DATABASE_URL: await server().freshDatabase('explainprops'),
      OFFERD_RULES_DIR: await rulesWithVipBanner(t),
    },
  });
  const sdk = { Authorization: DEMO_KEY };
  await post(s, '/engage?ip=0', [{ $set: { vip_level: 4 }, $distinct_id: 'pg-vip' }], sdk);
  await post(
    s,
    '/track?ip=0',
    [{ event: '$create_alias', properties: { distinct_id: 'pg-vip', alias: 'pg-vip-device' } }],
    sdk,
  );
  const served = await post(s, '/getPersonalizedBanner?ip=0', { userId: 'pg-vip-device', ...REQUEST }, sdk);
  t.regex(String(served.body.imageFullUrl), /\/vip-lounge\//);
  for (const user of ['pg-vip', 'pg-vip-device']) {
    const { status, body } = await post(
      s,
      '/admin/apps/demo/explain',
      { api: 'banner', user, request: REQUEST },
      ADMIN,
    );
    t.is(status, 200, user);
    t.is(body.why.facts.user.properties.vip_level, 4, user);
    t.is(body.decision.imageFullUrl, served.body.imageFullUrl, user);
    t.is(body.why.facts.user.renders, 1, `${user}: the served render is the distinct id's`);
  }
});
