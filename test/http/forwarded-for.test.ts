import test from 'ava';
import { postBanner } from '../helpers/banner-client.js';
import { startBehindProxy } from '../helpers/behind-proxy.js';
import { ADMIN, type PersonalizedJson, startOfferwall } from '../helpers/offerwall-service.js';

// Hostile probe of X-Forwarded-For behind a trusted proxy (127.0.0.1), with 5.6.7.8 banned:
// the hops `5.6.7.8:4711`, `[5.6.7.8]` and `unknown` were skipped, so the client-written
// `1.1.1.1` to their left was the caller: served, geolocated to AU.
const LIST = '/api/v1/users/anyone/personalized?wall=1001&numoffers=5';

test('a banned address with a port or in brackets is still banned; an unknown hop is not the hop to its left', async (t) => {
  const h = await startOfferwall(t, {
    overrides: { http: { bodyLimit: '1mb', trustedProxies: ['127.0.0.1'], publicUrl: null } },
  });
  const ban = await h.get('/admin/apps/demo/bans', {
    method: 'POST',
    headers: { ...ADMIN, 'Content-Type': 'application/json' },
    body: JSON.stringify({ type: 'ip', value: '5.6.7.8', reason: 'probe' }),
  });
  t.is(ban.status, 201);
  const as = (xff: string) => h.json<PersonalizedJson>(LIST, { headers: { 'X-Forwarded-For': xff } });
  for (const xff of ['1.1.1.1, 5.6.7.8', '1.1.1.1, 5.6.7.8:4711', '1.1.1.1, [5.6.7.8]']) {
    const res = await as(xff);
    t.is(res.res.status, 403, xff);
    t.is(res.body.error?.code, 'IP_BANNED', xff);
  }
  const unknown = await as('1.1.1.1, unknown');
  t.not(unknown.res.status, 403, 'no address: no IP ban matches');
  // No address is no country: only offers without country targeting (none in the demo catalog).
  t.is(unknown.body.error?.code, 'NO_ELIGIBLE_OFFERS');
  t.is((await as('1.1.1.1')).res.status, 200, '1.1.1.1 itself is served (AU)');
});

test('an unknown hop gets no country on the banner API, not the client-written one', async (t) => {
  const proxied = await startBehindProxy(t);
  const country = async (xff: string) =>
    (await postBanner(proxied, { userId: 'geo-xff', offerId: 1 }, { headers: { 'X-Forwarded-For': xff } }))
      .body.kibotuMetadata.countryIso2;
  t.is(await country('1.1.1.1'), 'AU');
  t.is(await country('8.8.8.8, 1.1.1.1:4711'), 'AU');
  t.is(await country('1.1.1.1, unknown'), null);
  t.is(await country('1.1.1.1, [5.6.7.8'), null);
});
