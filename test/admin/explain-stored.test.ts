import test from 'ava';
import { openDocumentStore } from '../../src/apis.js';
import { offerwallSnapshot } from '../../src/offerwall/offerwall-snapshot.js';
import { seedEveryApi } from '../helpers/demo-data.js';
import { ADMIN, startTestService, type TestService } from '../helpers/start-test-service.js';

// biome-ignore lint/suspicious/noExplicitAny: explanations are free-form JSON read field by field
type Json = Record<string, any>;

const explain = async (s: TestService, body: unknown) => {
  const res = await s.fetch('/admin/apps/demo/explain', {
    method: 'POST',
    headers: { ...ADMIN, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Json };
};

test('a stored banner player is explained with their real activity, and the next real request serves what explain said', async (t) => {
  const s = await startTestService(t);
  const { bannerUsers } = await seedEveryApi(s.url);
  const userId = bannerUsers[0] as string;
  const request = { offerId: '8622', countryIso2: 'DE' };
  const { status, body } = await explain(s, { api: 'banner', user: userId, request });
  t.is(status, 200);
  // The seeded player rendered once and bought once: a payer now, not an unknown user.
  t.like(body.why.facts.user, { known: true, renders: 1, purchases: 1, daysSinceLastSeen: 0 });
  t.true(body.decision.segments.includes('payer'));
  t.like(body.user.loaded, { 'banner.users': 1, 'banner.recentEvents': 1 });
  t.is(body.why.chosen.bannerId, body.decision.bannerId);
  // Explaining wrote nothing: the next real request sees the same stored user and decides the same.
  const served = (await (
    await s.fetch('/ab/getPersonalizedBanner', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'demo-key' },
      body: JSON.stringify({ userId, ...request }),
    })
  ).json()) as Json;
  t.is(served.imageFullUrl, body.decision.imageFullUrl);
  t.is(served.kibotuMetadata.experimentId, body.decision.experimentId);
  t.is(served.kibotuMetadata.variationId, body.decision.variationId);
  const again = await explain(s, { api: 'banner', user: userId, request });
  t.is(again.body.why.facts.user.renders, 2, 'the real request is counted, explain calls are not');
  t.is(again.body.decision.assignment, body.decision.experimentId ? 'stored' : 'none');
});

test('a stored banner player explained without request fields: the answer names the ones filled in', async (t) => {
  const s = await startTestService(t);
  const { bannerUsers } = await seedEveryApi(s.url);
  const user = bannerUsers[0] as string;
  const bare = await explain(s, { api: 'banner', user });
  t.is(bare.status, 200);
  t.deepEqual(bare.body.notGiven.fields, { offerId: 'explain', countryIso2: null, languageIso2: null });
  t.is(
    bare.body.notGiven.note,
    'request fields not given, so decided with offerId as the placeholder "explain", countryIso2 as absent (null), languageIso2 as absent (null): give them in request for the decision a real request of this player gets',
  );
  const some = await explain(s, { api: 'banner', user, request: { offerId: '8622', countryIso2: 'DE' } });
  t.deepEqual(some.body.notGiven.fields, { languageIso2: null });
  const all = await explain(s, {
    api: 'banner',
    user,
    request: { offerId: '8622', countryIso2: 'DE', languageIso2: 'de' },
  });
  t.is(all.body.notGiven, undefined);
});

test('a stored offerwall user: completed offers hidden, every offer accounted for, the cut named, same order as served', async (t) => {
  const s = await startTestService(t);
  const { offerwallUid } = await seedEveryApi(s.url);
  const { status, body } = await explain(s, {
    api: 'offerwall',
    user: offerwallUid,
    request: { numoffers: 3, ip: '8.8.8.8' },
  });
  t.is(status, 200);
  t.is(body.decision.limit, 3);
  t.is(body.decision.dropped.completed, 1, 'the offer the user completed is hidden');
  const lines = body.why.offers as { offerId: number; shown: boolean; reason: string }[];
  const below = lines.filter((l) => l.reason.startsWith('ranked below the cut'));
  t.is(below[0]?.reason, 'ranked below the cut (rank 4 of numoffers 3)');
  t.is(below.length, body.decision.total - 3);
  // Every catalog offer has exactly one line.
  t.is(new Set(lines.map((l) => l.offerId)).size, lines.length);
  const ranked = lines.filter((l) => !l.reason.startsWith('dropped')).map((l) => l.offerId);
  const served = (await (
    await s.fetch(`/api/v1/users/${offerwallUid}/personalized?wall=1001&numoffers=100&ip=8.8.8.8`)
  ).json()) as { offers: { offer_id: number }[] };
  t.deepEqual(
    served.offers.map((o) => o.offer_id),
    ranked.slice(0, 100),
    'the served ranking is the explained one',
  );
});

test('a stored journeys user: profile as the API reports it, each offer type with its verdict and blocking limit', async (t) => {
  const s = await startTestService(t);
  const { journeysUser } = await seedEveryApi(s.url);
  const { status, body } = await explain(s, { api: 'journeys', user: journeysUser });
  t.is(status, 200);
  t.is(body.user.environment, 'test');
  const profile = (
    (await (
      await s.fetch(`/v1/user-journeys/users/${journeysUser}`, { headers: { 'X-API-Key': 'pk_test_demo' } })
    ).json()) as Json
  ).data;
  for (const key of ['lifecycleStage', 'engagementTier', 'engagementScore', 'churnRisk', 'totalPlays']) {
    t.is(body.decision[key], profile[key], key);
  }
  t.is(body.decision.totalPlays, 2);
  t.true(body.decision.daysSinceLastSeen >= 0 && body.decision.daysSinceLastSeen < 1, 'the real clock');
  // The seeded user still holds the offer type the generation created and did not claim.
  const blocked = body.why.offers.filter((o: Json) => o.verdict === 'type_active');
  t.true(blocked.length > 0);
  for (const o of blocked) t.regex(o.blockedBy, /^maxActivePerType 1/);
  t.is(body.why.offers.length, body.decision.verdicts.length);
});

test('an offerwall player served but never clicked: explained with no progress, said so, and nothing stored', async (t) => {
  const s = await startTestService(t);
  const served = (await (
    await s.fetch('/api/v1/users/w-3/personalized?wall=1001&numoffers=5&ip=8.8.8.8')
  ).json()) as { offers: { offer_id: number }[] };
  t.is(served.offers.length, 5);
  const request = { numoffers: 5, ip: '8.8.8.8' };
  const { status, body } = await explain(s, { api: 'offerwall', user: 'w-3', request });
  t.is(status, 200, JSON.stringify(body));
  t.is(body.user.stored, false);
  t.is(
    body.user.note,
    'no clicks or postbacks recorded for this user yet: explained with no progress and no ban',
  );
  t.like(body.user.loaded, { 'offerwall.progress': 0, 'offerwall.bans': 0 });
  // The decision explained is the one served.
  t.deepEqual(
    body.decision.offerIds,
    served.offers.map((o) => o.offer_id),
  );
  t.deepEqual(body.decision.inProgress, []);
  // Explaining wrote nothing: the uid is still unstored.
  const again = await explain(s, { api: 'offerwall', user: 'w-3', request });
  t.is(again.body.user.stored, false);
  t.like(again.body.user.loaded, { 'offerwall.progress': 0 });
  // A stored player says so, without a note.
  const { offerwallUid } = await seedEveryApi(s.url);
  const stored = await explain(s, { api: 'offerwall', user: offerwallUid, request });
  t.is(stored.body.user.stored, true);
  t.is(stored.body.user.note, undefined);
  // Read through the store port once the service has stopped: no record of w-3, of any kind.
  await s.stop();
  const store = await openDocumentStore(s.config.dataDir);
  t.teardown(() => store.close());
  t.deepEqual(await store.offerwall.progressOf('demo', 'w-3'), []);
  t.deepEqual(await store.offerwall.bansFor('demo', 'w-3'), []);
  t.is(await offerwallSnapshot(store, 'demo', 'w-3', { wallId: 1001 }), null);
});

test('an offerwall uid with nothing stored but under an IP ban: the note names the ban, not "no ban"', async (t) => {
  const s = await startTestService(t);
  const ban = await s.fetch('/admin/apps/demo/bans', {
    method: 'POST',
    headers: { ...ADMIN, 'Content-Type': 'application/json' },
    body: JSON.stringify({ type: 'ip', value: '7.7.7.0/24', reason: 'bot farm' }),
  });
  t.is(ban.status, 201);
  const banned = await explain(s, {
    api: 'offerwall',
    user: 'p-0',
    request: { numoffers: 5, ip: '7.7.7.7' },
  });
  t.like(banned.body.decision, { status: 403, error: 'IP_BANNED' });
  t.like(banned.body.why.ban, { type: 'ip', value: '7.7.7.0/24' });
  t.is(banned.body.user.stored, false);
  t.is(
    banned.body.user.note,
    "no clicks, postbacks or user ban recorded for this user yet: explained with no progress, and the request's ip is under the ip ban '7.7.7.0/24'",
  );
  // Outside the range no ban applies, and the note says so.
  const served = await explain(s, {
    api: 'offerwall',
    user: 'p-0',
    request: { numoffers: 5, ip: '8.8.8.8' },
  });
  t.is(served.body.decision.status, 200);
  t.is(
    served.body.user.note,
    'no clicks or postbacks recorded for this user yet: explained with no progress and no ban',
  );
});

// Account-manager probe: a user-banned uid without numoffers got 403 USER_BANNED from the
// live wall and 400 INVALID_PARAMETER from explain; an unknown uid on a banned range, 403
// IP_BANNED and 400. A ban is RevU's "definitive" answer: explain decides in the live order.
test('a banned player asked with a bad parameter is explained as the live 403, not a 400', async (t) => {
  const s = await startTestService(t);
  for (const ban of [
    { type: 'user', value: 'am-ow-0', reason: 'chargebacks' },
    { type: 'ip', value: '7.7.7.0/24', reason: 'bot farm' },
  ]) {
    const added = await s.fetch('/admin/apps/demo/bans', {
      method: 'POST',
      headers: { ...ADMIN, 'Content-Type': 'application/json' },
      body: JSON.stringify(ban),
    });
    t.is(added.status, 201);
  }
  const asked = [
    { uid: 'am-ow-0', ip: '8.8.8.8', code: 'USER_BANNED', ban: { type: 'user', value: 'am-ow-0' } },
    { uid: 'am-ow-new', ip: '7.7.7.7', code: 'IP_BANNED', ban: { type: 'ip', value: '7.7.7.0/24' } },
  ];
  for (const { uid, ip, code, ban } of asked) {
    const live = await s.fetch(`/api/v1/users/${uid}/personalized?wall=1001&ip=${ip}`);
    t.is(live.status, 403, uid);
    t.is(((await live.json()) as Json).error.code, code, uid);
    const { status, body } = await explain(s, { api: 'offerwall', user: uid, request: { wall: 1001, ip } });
    t.is(status, 200, JSON.stringify(body));
    t.like(body.decision, { status: 403, error: code, reason: code }, uid);
    t.like(body.why.ban, ban, uid);
    // What the ban answered before is said, not lost.
    t.regex(body.why.alsoInvalid.message, /numoffers/, uid);
  }
  // The unknown uid's note names the ban that refused it.
  const unknown = await explain(s, {
    api: 'offerwall',
    user: 'am-ow-new',
    request: { wall: 1001, ip: '7.7.7.7' },
  });
  t.regex(unknown.body.user.note, /under the ip ban '7\.7\.7\.0\/24'/);
  // Without a ban the same request stays the offerwall's 400, live and explained.
  t.is((await s.fetch('/api/v1/users/am-ow-1/personalized?wall=1001&ip=8.8.8.8')).status, 400);
  const honest = await explain(s, {
    api: 'offerwall',
    user: 'am-ow-1',
    request: { wall: 1001, ip: '8.8.8.8' },
  });
  t.like(honest.body.decision, { status: 400, error: 'INVALID_PARAMETER' });
});

test('explain refuses unknown users with a 404 and bad input with a 400 naming the field', async (t) => {
  const s = await startTestService(t);
  await seedEveryApi(s.url);
  // Banner and journeys store their users: an id they never saw is not a user of theirs.
  for (const api of ['banner', 'journeys']) {
    const res = await explain(s, { api, user: 'nobody-ever' });
    t.is(res.status, 404, api);
    t.is(res.body.error.code, 'USER_NOT_FOUND');
  }
  // A journeys user asked for in the environment it is not stored in: named where it is.
  const live = await explain(s, { api: 'journeys', user: 'journeyer-1', request: { environment: 'live' } });
  t.is(live.status, 404);
  t.is(
    live.body.error.message,
    "no journeys user 'journeyer-1' is stored for app 'demo' in environment live (there is one in test)",
  );
  const neither = await explain(s, {
    api: 'journeys',
    user: 'nobody-ever',
    request: { environment: 'test' },
  });
  t.is(
    neither.body.error.message,
    "no journeys user 'nobody-ever' is stored for app 'demo' in environment test",
  );
  // The offerwall serves any uid and stores one only from its first click or postback.
  const wall = await explain(s, { api: 'offerwall', user: 'nobody-ever', request: { numoffers: 3 } });
  t.is(wall.status, 200);
  t.is(wall.body.user.stored, false);
  // Without numoffers the route explains the offerwall's own refusal (docs/rules.md), not a 400 of its own.
  const noLimit = await explain(s, { api: 'offerwall', user: 'nobody-ever' });
  t.is(noLimit.status, 200);
  t.like(noLimit.body.decision, { status: 400, error: 'INVALID_PARAMETER' });
  t.is(noLimit.body.why.error.fields[0].field, 'numoffers');
  const cases: [unknown, string][] = [
    [{ user: 'player-1' }, 'api'],
    [{ api: 'banner' }, 'user'],
    [{ api: 'banner', user: 'player-1', now: 'yesterday' }, 'now'],
    [{ api: 'offerwall', user: 'earner-1', request: { wall: 9999 } }, 'request.wall'],
    [{ api: 'journeys', user: 'journeyer-1', request: { environment: 'prod' } }, 'request.environment'],
    [{ api: 'banner', user: 'player-1', request: [] }, 'request'],
  ];
  for (const [body, field] of cases) {
    const res = await explain(s, body);
    t.is(res.status, 400, JSON.stringify(body));
    t.is(res.body.error.fields[0].field, field, JSON.stringify(body));
  }
});

test('an assumed state is bounded: a huge event count is a 400 naming it, answered at once, and the service stays up', async (t) => {
  const s = await startTestService(t);
  const cases: [Json, string][] = [
    [
      {
        api: 'journeys',
        request: { externalId: 'x' },
        state: { events: [{ at: '-1d', count: 1e9, every: '1m' }] },
      },
      'state.events[0].count must be a whole number from 1 to 10000',
    ],
    [
      {
        api: 'banner',
        request: { userId: 'x', offerId: '1' },
        state: { events: [{ event: 'X', count: 2_000_000 }] },
      },
      'state.events[0].count must be a whole number from 1 to 10000',
    ],
    [
      {
        api: 'journeys',
        request: { externalId: 'x' },
        state: {
          events: [
            { at: '-1d', count: 6000 },
            { at: '-2d', count: 6000 },
          ],
        },
      },
      'state.events stand for 12000 events, more than the 10000 a state may hold',
    ],
    [
      {
        api: 'banner',
        request: { userId: 'x', offerId: '1' },
        state: { events: [{ event: 'X', count: 1.5 }] },
      },
      'state.events[0].count must be a whole number from 1 to 10000',
    ],
    [
      { api: 'banner', request: { userId: 'x', offerId: '1' }, state: { events: { event: 'X' } } },
      'state.events must be a list',
    ],
  ];
  for (const [body, message] of cases) {
    const res = await explain(s, body);
    t.is(res.status, 400, JSON.stringify(body));
    t.true(JSON.stringify(res.body).includes(message), `${message} in ${JSON.stringify(res.body)}`);
  }
  // The most a state may hold still explains (journeys builds and stores every event).
  const full = await explain(s, {
    api: 'journeys',
    request: { externalId: 'x' },
    state: { events: [{ at: '-1d', count: 10_000, every: '1m' }] },
  });
  t.is(full.status, 200);
  t.is((await s.fetch('/healthz')).status, 200);
});

test('outside every experiment the assignment fact says -1, as kibotuMetadata does, not the control label 0', async (t) => {
  const s = await startTestService(t);
  const { status, body } = await explain(s, {
    api: 'banner',
    request: { userId: 'outsider', offerId: '1' },
    state: {},
  });
  t.is(status, 200);
  t.like(body.decision, { experimentId: '', variationId: -1 });
  t.deepEqual(body.why.facts.assignment, { experimentId: '', variationId: -1 });
});

// Account-manager check: "why did they get X an hour ago?" with `now` an hour back was
// answered with today's state (first seen after `now`, a purchase made since) and nothing
// said the answer was not a replay of then.
test('a stored player explained at a past now says the answer uses the rules and state of today', async (t) => {
  const s = await startTestService(t);
  const { bannerUsers } = await seedEveryApi(s.url);
  const user = bannerUsers[0] as string;
  const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
  const past = await explain(s, { api: 'banner', user, request: { offerId: '8622' }, now: hourAgo });
  t.is(past.status, 200);
  t.is(past.body.asOf?.now, hourAgo);
  t.regex(past.body.asOf?.note ?? '', /state as stored now, which includes what they did since/);
  const nextYear = new Date(Date.now() + 365 * 86_400_000).toISOString();
  const future = await explain(s, { api: 'banner', user, request: { offerId: '8622' }, now: nextYear });
  t.regex(future.body.asOf?.note ?? '', /what they would get then if nothing changed until that time/);
  for (const now of [undefined, new Date().toISOString()]) {
    const present = await explain(s, { api: 'banner', user, request: { offerId: '8622' }, now });
    t.is(present.status, 200);
    t.is(present.body.asOf, undefined, 'the present needs no such note');
  }
});
