import test from 'ava';
import { type PersonalizedJson, startOfferwall } from '../helpers/offerwall-service.js';

const P = (q: string, uid = 'u-1') => `/api/v1/users/${uid}/personalized?${q}`;

// RevU personalized-offers page (docs/api-contracts.md §2): `sid3` is the publisher's
// session id, echoed in click links; publishers pass JWT session tokens there.
test('revu personalized: a JWT-sized sid3 (2 KB) is accepted and echoed in click_url', async (t) => {
  const h = await startOfferwall(t);
  const jwt = `eyJhbGciOiJIUzI1NiJ9.${'a'.repeat(2000)}.sig_-x`;
  const { res, body } = await h.json<PersonalizedJson>(P(`wall=1001&numoffers=1&ip=8.8.8.8&sid3=${jwt}`));
  t.is(res.status, 200);
  t.is(new URL(body.offers[0]?.click_url ?? '').searchParams.get('sid3'), jwt);
  const tooLong = await h.json<PersonalizedJson>(
    P(`wall=1001&numoffers=1&ip=8.8.8.8&sid3=${'a'.repeat(4097)}`),
  );
  t.is(tooLong.res.status, 400);
});
