import { signPostback } from '../../src/offerwall/domain/signatures.js';
import { checkedFetch } from './openapi-check.js';

/** What `seedEveryApi` made, for spot checks through the store port. */
export interface DemoData {
  bannerUsers: string[];
  offerwallUid: string;
  offerwallOfferId: number;
  journeysUser: string;
  claimedOfferId: string;
}

const ADMIN = { Authorization: 'Bearer demo-admin-token' };
const JSON_HEADERS = { 'Content-Type': 'application/json' };

async function ok(res: Promise<Response>, what: string): Promise<Response> {
  const r = await res;
  if (r.status >= 400) throw new Error(`${what}: ${r.status} ${await r.text()}`);
  return r;
}

async function seedBanner(base: string, users: string[]): Promise<void> {
  for (const userId of users) {
    const res = await ok(
      checkedFetch(`${base}/ab/getPersonalizedBanner`, {
        method: 'POST',
        headers: { ...JSON_HEADERS, Authorization: 'demo-key' },
        body: JSON.stringify({ userId, offerId: '8622', activeChamp: 'ahri', prizeTypes: ['champion'] }),
      }),
      'banner',
    );
    const { kibotuMetadata } = (await res.json()) as { kibotuMetadata: Record<string, unknown> };
    const time = Math.floor(Date.now() / 1000);
    await ok(
      checkedFetch(`${base}/track?ip=0&verbose=1`, {
        method: 'POST',
        headers: { ...JSON_HEADERS, Authorization: 'demo-key' },
        body: JSON.stringify([
          { event: 'AppStart', properties: { distinct_id: userId, time } },
          { event: 'SpecialOfferPopupPurchased', properties: { distinct_id: userId, time, kibotuMetadata } },
        ]),
      }),
      'track',
    );
  }
}

async function seedOfferwall(base: string, uid: string): Promise<number> {
  const list = await ok(
    checkedFetch(`${base}/api/v1/users/${uid}/personalized?wall=1001&numoffers=3&ip=8.8.8.8&sid3=s-1`),
    'offerwall',
  );
  const { offers } = (await list.json()) as { offers: { offer_id: number; click_url: string }[] };
  const [first, second] = offers;
  if (!first || !second) throw new Error('the demo wall offered fewer than two offers');
  await ok(checkedFetch(first.click_url, { redirect: 'manual' }), 'click');
  for (const [offerId, event, tx] of [
    [first.offer_id, 'base', 'tx-seed-1'],
    [second.offer_id, 'base', 'tx-seed-2'],
  ] as const) {
    const sig = signPostback('demo-postback-secret-change-me', {
      wallId: 1001,
      uid,
      offerId,
      eventId: event,
      transactionId: tx,
    });
    const q = new URLSearchParams({
      wall: '1001',
      uid,
      offer: String(offerId),
      event,
      transaction_id: tx,
      sig,
    });
    await ok(checkedFetch(`${base}/api/v1/postback?${q}`), 'postback');
  }
  await ok(
    checkedFetch(`${base}/admin/apps/demo/bans`, {
      method: 'POST',
      headers: { ...ADMIN, ...JSON_HEADERS },
      body: JSON.stringify({ type: 'user', value: 'cheater', reason: 'seeded' }),
    }),
    'ban',
  );
  return first.offer_id;
}

async function seedJourneys(base: string, externalId: string): Promise<string> {
  const api = (path: string, init: RequestInit = {}) =>
    ok(
      checkedFetch(`${base}/v1/user-journeys${path}`, {
        ...init,
        headers: { ...JSON_HEADERS, 'X-API-Key': 'pk_test_demo' },
      }),
      `journeys ${path}`,
    );
  await api('/users', {
    method: 'POST',
    body: JSON.stringify({ externalId, displayName: 'Ada', country: 'de', tags: { vip: true } }),
  });
  const events = [1, 2].map((i) => ({
    externalId,
    eventType: 'spin',
    category: 'GAME_PLAY',
    points: 10 * i,
    clientEventId: `seed-${i}`,
    metadata: { won: i === 1 },
  }));
  await api('/track', { method: 'POST', body: JSON.stringify({ events }) });
  await ok(
    checkedFetch(`${base}/admin/apps/demo/journeys/generate?environment=test`, {
      method: 'POST',
      headers: ADMIN,
    }),
    'generate',
  );
  const listed = (await (await api(`/users/${externalId}/offers`)).json()) as {
    data: { offers: { id: string }[] };
  };
  const offer = listed.data.offers[0];
  if (!offer) throw new Error('the generation made no offer for the seeded journeys user');
  await api(`/users/${externalId}/offers/${offer.id}/claim`, { method: 'POST' });
  return offer.id;
}

/**
 * Fills a running offerd through its HTTP APIs with data of every kind the store keeps
 * (catalogs excepted: they come from a feed sync): banner renders, assignments,
 * exposures and tracked events; offerwall clicks, postbacks and a ban; journeys users,
 * events, generated offers and a claim.
 */
export async function seedEveryApi(base: string): Promise<DemoData> {
  const bannerUsers = Array.from({ length: 12 }, (_, i) => `player-${i + 1}`);
  await seedBanner(base, bannerUsers);
  const offerwallUid = 'earner-1';
  const offerwallOfferId = await seedOfferwall(base, offerwallUid);
  const journeysUser = 'journeyer-1';
  const claimedOfferId = await seedJourneys(base, journeysUser);
  return { bannerUsers, offerwallUid, offerwallOfferId, journeysUser, claimedOfferId };
}

/** What `seedProfiles` made. */
export interface ProfileData {
  distinctId: string;
  alias: string;
  groupId: string;
}

/**
 * Fills the Kibotu SDK's profile collections through /engage, /groups, /track and
 * /feature: a user profile, a group profile, an alias, a remembered `$insert_id` and a
 * special-offer grant. Its own users, so seedEveryApi's decisions stay as they were.
 */
export async function seedProfiles(base: string): Promise<ProfileData> {
  const data = { distinctId: 'sdk-profile-1', alias: 'sdk-device-1', groupId: 'Acme' };
  const post = (path: string, body: unknown) =>
    ok(
      checkedFetch(`${base}${path}?ip=0&verbose=1`, {
        method: 'POST',
        headers: { ...JSON_HEADERS, Authorization: 'demo-key' },
        body: JSON.stringify(body),
      }),
      path,
    );
  await post('/engage', [{ $set: { vip_level: 5, coins: 40 }, $distinct_id: data.distinctId }]);
  await post('/groups', [{ $set: { plan: 'team' }, $group_key: 'company', $group_id: data.groupId }]);
  await post('/track', [
    { event: '$create_alias', properties: { distinct_id: data.distinctId, alias: data.alias } },
    { event: 'AppStart', properties: { distinct_id: data.distinctId, $insert_id: 'seed-insert-1' } },
  ]);
  await post('/feature', [
    { featureName: 'special_offer_on_level_up', distinct_id: data.distinctId, predict_id: 'p' },
  ]);
  return data;
}
