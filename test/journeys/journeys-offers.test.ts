import test from 'ava';
import { DAY, LIVE_KEY, plays, startJourneysService } from '../helpers/journeys-service.js';

type OfferJson = { id: string; offerType: string; status: string; pointsValue: number; expiresAt: string };
const types = (offers: OfferJson[]) => offers.map((o) => o.offerType).sort();

test('a new user with two events gets the welcome offers after a generation run; a second run creates nothing', async (t) => {
  const s = await startJourneysService(t);
  await s.api('POST', '/users', { body: { externalId: 'newbie', displayName: 'Nina' } });
  await s.api('POST', '/track', { body: plays('newbie', 2, s.clock) });
  t.deepEqual((await s.api('GET', '/users/newbie/offers')).body, { status: 'success', data: { offers: [] } });
  const run = await s.generate();
  t.is(run.status, 200);
  const testEnv = run.body.environments.find((e: { environment: string }) => e.environment === 'test');
  t.deepEqual(testEnv.offersCreated, { welcome_free_play: 1, welcome_bonus: 1 });
  t.is(testEnv.usersScanned, 1);
  const offers = (await s.api('GET', '/users/newbie/offers')).body.data.offers;
  t.deepEqual(types(offers), ['welcome_bonus', 'welcome_free_play']);
  const spin = offers.find((o: OfferJson) => o.offerType === 'welcome_free_play');
  t.like(spin, {
    externalId: 'newbie',
    gameType: 'spin_the_wheel',
    pointsValue: 50,
    status: 'active',
    claimedAt: null,
  });
  // The offer id is a UUID (the GamifyHost docs' word), version 7: time-ordered, see src/journeys/offer-ids.ts.
  t.regex(spin.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  t.is(spin.description, 'Try a free spin on us, Nina — new players get a guaranteed prize!');
  t.is(Date.parse(spin.expiresAt) - s.clock.now().getTime(), 7 * DAY);
  const again = await s.generate();
  t.is(again.body.totals.offersCreated, 0);
  t.is((await s.api('GET', '/users/newbie/offers')).body.data.offers.length, 2);
});

test('a user last seen 20 days ago with churn risk >= 60 gets retention_play', async (t) => {
  const s = await startJourneysService(t);
  // Played now, then gone 20 days (imported backdated history would not age a new profile).
  await s.api('POST', '/track', { body: plays('slipping', 3, s.clock) });
  s.clock.advance(20 * DAY);
  const profile = (await s.api('GET', '/users/slipping')).body.data;
  t.is(profile.lifecycleStage, 'at_risk');
  t.true(profile.churnRisk >= 60, `churnRisk ${profile.churnRisk}`);
  await s.generate('test');
  t.deepEqual(types((await s.api('GET', '/users/slipping/offers')).body.data.offers), ['retention_play']);
});

test('a whale gets vip_play', async (t) => {
  const s = await startJourneysService(t);
  await s.api('POST', '/track', { body: plays('whale', 60, s.clock, 1) });
  const profile = (await s.api('GET', '/users/whale')).body.data;
  t.is(profile.engagementTier, 'whale');
  await s.generate('test');
  t.true(types((await s.api('GET', '/users/whale/offers')).body.data.offers).includes('vip_play'));
});

test('a user inactive for 61 days gets nothing new; one gone 40 days gets the win-back pair', async (t) => {
  const s = await startJourneysService(t);
  await s.api('POST', '/track', { body: plays('gone', 5, s.clock) });
  s.clock.advance(21 * DAY);
  await s.api('POST', '/track', { body: plays('lapsed', 5, s.clock) });
  s.clock.advance(40 * DAY);
  const run = await s.generate('test');
  t.like(run.body.environments[0], { environment: 'test', usersScanned: 2, usersInactive: 1 });
  t.deepEqual((await s.api('GET', '/users/gone/offers')).body.data.offers, []);
  t.deepEqual(types((await s.api('GET', '/users/lapsed/offers')).body.data.offers), [
    'return_bonus',
    'win_back_play',
  ]);
});

test('pk_live_demo does not see pk_test_demo users, nor their offers', async (t) => {
  const s = await startJourneysService(t);
  await s.api('POST', '/track', { body: plays('iso', 2, s.clock) });
  const run = await s.generate();
  const live = run.body.environments.find((e: { environment: string }) => e.environment === 'live');
  t.is(live.usersScanned, 0);
  const [offer] = (await s.api('GET', '/users/iso/offers')).body.data.offers;
  t.is((await s.api('GET', '/users/iso', { key: LIVE_KEY })).status, 404);
  const claim = await s.api('POST', `/users/iso/offers/${offer.id}/claim`, { key: LIVE_KEY });
  t.deepEqual(claim.body, { message: 'Offer not found', code: 404, status: 'error' });
});

test('claim: 200 with the claimed offer and an offer_claimed event; twice gives 400 Offer is no longer active', async (t) => {
  const s = await startJourneysService(t);
  await s.api('POST', '/track', { body: [...plays('claimer', 2, s.clock), ...plays('other', 2, s.clock)] });
  await s.generate('test');
  const offers = (await s.api('GET', '/users/claimer/offers')).body.data.offers as OfferJson[];
  const bonus = offers.find((o) => o.offerType === 'welcome_bonus') as OfferJson;
  const notMine = await s.api('POST', `/users/other/offers/${bonus.id}/claim`);
  t.deepEqual(notMine.body, { message: 'Offer not found', code: 404, status: 'error' });
  t.is((await s.api('POST', '/users/claimer/offers/no-such-offer/claim')).status, 404);
  const claimed = await s.api('POST', `/users/claimer/offers/${bonus.id}/claim`);
  t.is(claimed.status, 200);
  t.like(claimed.body.data.offer, {
    id: bonus.id,
    status: 'claimed',
    claimedAt: s.clock.now().toISOString(),
  });
  const twice = await s.api('POST', `/users/claimer/offers/${bonus.id}/claim`);
  t.deepEqual(twice.body, { message: 'Offer is no longer active', code: 400, status: 'error' });
  const [latest] = (await s.api('GET', '/users/claimer/timeline')).body.data.events;
  t.like(latest, { eventType: 'offer_claimed', category: 'OFFER', points: 100 });
  t.deepEqual(types((await s.api('GET', '/users/claimer/offers')).body.data.offers), ['welcome_free_play']);
});

test('claim: an offer UUID in upper or mixed case is the same offer (UUIDs are case-insensitive)', async (t) => {
  const s = await startJourneysService(t);
  await s.api('POST', '/track', { body: plays('caser', 2, s.clock) });
  await s.generate('test');
  const offers = (await s.api('GET', '/users/caser/offers')).body.data.offers as OfferJson[];
  t.true(offers.length >= 2);
  const [upper, mixed] = offers as [OfferJson, OfferJson];
  t.regex(upper.id, /^[0-9a-f-]{36}$/, 'generated offer ids are lower-case UUIDs');
  const claimed = await s.api('POST', `/users/caser/offers/${upper.id.toUpperCase()}/claim`);
  t.is(claimed.status, 200, JSON.stringify(claimed.body));
  t.like(claimed.body.data.offer, { id: upper.id, status: 'claimed' });
  const mixedId = [...mixed.id].map((c, i) => (i % 2 ? c.toUpperCase() : c)).join('');
  t.not(mixedId, mixed.id);
  const again = await s.api('POST', `/users/caser/offers/${mixedId}/claim`);
  t.is(again.status, 200, JSON.stringify(again.body));
  t.like(again.body.data.offer, { id: mixed.id, status: 'claimed' });
  const twice = await s.api('POST', `/users/caser/offers/${upper.id}/claim`);
  t.deepEqual(twice.body, { message: 'Offer is no longer active', code: 400, status: 'error' });
});

test('of concurrent claims of one offer exactly one succeeds', async (t) => {
  const s = await startJourneysService(t);
  await s.api('POST', '/track', { body: plays('racer', 2, s.clock) });
  await s.generate('test');
  const [offer] = (await s.api('GET', '/users/racer/offers')).body.data.offers;
  const results = await Promise.all(
    Array.from({ length: 12 }, () => s.api('POST', `/users/racer/offers/${offer.id}/claim`)),
  );
  t.is(results.filter((r) => r.status === 200).length, 1);
  t.true(results.every((r) => r.status === 200 || r.body.message === 'Offer is no longer active'));
  const events = (await s.api('GET', '/users/racer/timeline')).body.data.events;
  t.is(events.filter((e: { eventType: string }) => e.eventType === 'offer_claimed').length, 1);
});

test('an offer past expiresAt is never listed, cannot be claimed, and the next run marks it expired', async (t) => {
  const s = await startJourneysService(t);
  await s.api('POST', '/track', { body: plays('late', 2, s.clock) });
  await s.generate('test');
  const [offer] = (await s.api('GET', '/users/late/offers')).body.data.offers;
  s.clock.advance(7 * DAY + 1000);
  t.deepEqual((await s.api('GET', '/users/late/offers')).body.data.offers, []);
  const claim = await s.api('POST', `/users/late/offers/${offer.id}/claim`);
  t.deepEqual(claim.body, { message: 'Offer has expired', code: 400, status: 'error' });
  const run = await s.generate('test');
  t.deepEqual(run.body.environments[0].offersExpired, { welcome_free_play: 1, welcome_bonus: 1 });
  // The welcome cooldown (52 weeks) keeps those from coming back; 7 days unseen is still
  // active (the docs put at_risk at 14–30 days), so the daily spin is offered.
  t.deepEqual(run.body.environments[0].offersCreated, { daily_free_spin: 1 });
});

test('the admin trigger: admin token, known app, environment validated; metrics count the run', async (t) => {
  const s = await startJourneysService(t);
  t.is((await s.fetch('/admin/apps/demo/journeys/generate', { method: 'POST' })).status, 401);
  const unknown = await s.fetch('/admin/apps/nope/journeys/generate', {
    method: 'POST',
    headers: { Authorization: 'Bearer demo-admin-token' },
  });
  t.is(unknown.status, 404);
  t.is((await s.generate('bogus' as 'live')).status, 400);
  const twice = await s.fetch('/admin/apps/demo/journeys/generate?environment=live&environment=test', {
    method: 'POST',
    headers: { Authorization: 'Bearer demo-admin-token' },
  });
  t.is(twice.status, 400);
  t.regex(await twice.text(), /"field":"environment","message":"must be given once"/);
  await s.api('POST', '/track', { body: plays('metered', 2, s.clock) });
  const run = await s.generate();
  t.truthy(run.headers.get('x-rules-version'));
  t.like(run.body, {
    appId: 'demo',
    trigger: 'admin',
    totals: { usersScanned: 1, offersCreated: 2, offersExpired: 0 },
  });
  const metrics = await (await s.fetch('/metrics')).text();
  t.regex(
    metrics,
    /offerd_journeys_offers_created_total\{app="demo",environment="test",offer_type="welcome_bonus"\} 1/,
  );
  t.regex(metrics, /offerd_journeys_users_scanned_total\{app="demo",environment="test"\} 1/);
  t.regex(metrics, /offerd_journeys_generation_runs_total\{app="demo",trigger="admin"\} 1/);
});
