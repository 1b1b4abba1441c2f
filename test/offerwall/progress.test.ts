import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import {
  type OfferJson,
  type PersonalizedJson,
  signedPostback,
  startOfferwall,
  tempDir,
} from '../helpers/offerwall-service.js';
import { checkedFetch } from '../helpers/openapi-check.js';

const LIST = '/api/v1/users/u-7/personalized?wall=1001&numoffers=500&ip=8.8.8.8&sid3=sess-1';

function multiStep(offers: OfferJson[]): OfferJson {
  const o = offers.find((x) => x.events.length >= 2);
  if (!o) throw new Error('the demo catalog has multi-step offers');
  return o;
}

const find = (body: PersonalizedJson, id: number) => body.offers.find((o) => o.offer_id === id);

test('click then the final postback: in_progress, then user_completed; a replay changes nothing', async (t) => {
  // One instant for the whole test: scores move with time (at the sixth decimal between two
  // listings a few ms apart, seen once in CI), and the replay must be what changes nothing.
  const at = new Date();
  const h = await startOfferwall(t, { now: () => at });
  const before = (await h.json<PersonalizedJson>(LIST)).body;
  const offer = multiStep(before.offers);
  const finalEvent = offer.events[offer.events.length - 1]?.event_id ?? '';

  const click = await checkedFetch(offer.click_url, { redirect: 'manual' });
  t.is(click.status, 302);
  t.is(click.headers.get('location'), `https://track.example.com/c/${offer.offer_id}?sub1=u-7&sub2=sess-1`);

  const started = find((await h.json<PersonalizedJson>(LIST)).body, offer.offer_id);
  t.like(started, { in_progress: true, user_completed: false, user_status: 'in_progress', eligible: true });

  const base = await h.json(
    `/api/v1/postback?${signedPostback({ uid: 'u-7', offer: offer.offer_id, event: 'base', tx: 't-base' })}`,
  );
  t.is(base.res.status, 200);
  t.like(base.body, {
    status: 'success',
    duplicate: false,
    sid3: 'sess-1',
    in_progress: true,
    user_completed: false,
  });

  const done = await h.json(
    `/api/v1/postback?${signedPostback({ uid: 'u-7', offer: offer.offer_id, event: finalEvent, tx: 't-final' })}`,
    {
      method: 'POST',
    },
  );
  t.like(done.body, {
    status: 'success',
    duplicate: false,
    sid3: 'sess-1',
    in_progress: false,
    user_completed: true,
  });

  const after = (await h.json<PersonalizedJson>(LIST)).body;
  t.is(find(after, offer.offer_id), undefined, 'completedOffers: hide');
  t.is(after.total, before.total - 1);

  const replay = await h.json(
    `/api/v1/postback?${signedPostback({ uid: 'u-7', offer: offer.offer_id, event: finalEvent, tx: 't-final' })}`,
  );
  t.is(replay.res.status, 200);
  t.like(replay.body, { duplicate: true, user_completed: true, sid3: 'sess-1' });
  const again = (await h.json<PersonalizedJson>(LIST)).body;
  t.deepEqual(
    again.offers.map((o) => [o.offer_id, o.score]),
    after.offers.map((o) => [o.offer_id, o.score]),
  );
});

test('HEAD on a click link or a postback records nothing (link checkers send HEAD): 405, Allow GET', async (t) => {
  const h = await startOfferwall(t);
  const offer = multiStep((await h.json<PersonalizedJson>(LIST)).body.offers);
  const head = await fetch(offer.click_url, { method: 'HEAD', redirect: 'manual' });
  t.is(head.status, 405);
  t.is(head.headers.get('allow'), 'GET');
  const postback = `/api/v1/postback?${signedPostback({ uid: 'u-7', offer: offer.offer_id, event: 'base', tx: 't-head' })}`;
  const headPostback = await fetch(`${h.base}${postback}`, { method: 'HEAD' });
  t.is(headPostback.status, 405);
  t.is(headPostback.headers.get('allow'), 'GET, POST');
  t.like(find((await h.json<PersonalizedJson>(LIST)).body, offer.offer_id), {
    in_progress: false,
    user_status: null,
  });
  // The same link and postback by GET: the click counts, and the transaction is new.
  t.is((await checkedFetch(offer.click_url, { redirect: 'manual' })).status, 302);
  t.like((await h.json(postback)).body, { duplicate: false, in_progress: true });
});

test('with completedOffers: show, a completed offer is listed last, marked and not eligible', async (t) => {
  const rules = await tempDir(t, 'rules');
  await cp('rules', rules, { recursive: true });
  const file = path.join(rules, 'demo', 'offerwall.yaml');
  await writeFile(
    file,
    (await readFile(file, 'utf8')).replace('completedOffers: hide', 'completedOffers: show'),
  );
  const h = await startOfferwall(t, { rulesDir: rules });
  const before = (await h.json<PersonalizedJson>(LIST)).body;
  const offer = multiStep(before.offers);
  await checkedFetch(offer.click_url, { redirect: 'manual' });
  const last = offer.events[offer.events.length - 1]?.event_id ?? '';
  await h.json(
    `/api/v1/postback?${signedPostback({ uid: 'u-7', offer: offer.offer_id, event: last, tx: 'x1' })}`,
  );
  const { body } = await h.json<PersonalizedJson>(LIST);
  const shown = body.offers[body.offers.length - 1];
  t.like(shown, {
    offer_id: offer.offer_id,
    user_completed: true,
    in_progress: false,
    eligible: false,
    user_status: 'completed',
  });
  // RevU's total is the eligible offers: the completed one is listed but not counted.
  t.is(body.total, before.total - 1);
});

test('a tampered click link is rejected with 403 INVALID_SIGNATURE and records nothing', async (t) => {
  const h = await startOfferwall(t);
  const offer = (await h.json<PersonalizedJson>(LIST)).body.offers[0] as OfferJson;
  const url = new URL(offer.click_url);
  url.searchParams.set('uid', 'someone-else');
  const res = await checkedFetch(url, { redirect: 'manual' });
  t.is(res.status, 403);
  t.like(await res.json(), { status: 'failure', error: { code: 'INVALID_SIGNATURE' } });
  const bad = new URL(offer.click_url);
  bad.searchParams.set('sig', 'f'.repeat(64));
  t.is((await checkedFetch(bad, { redirect: 'manual' })).status, 403);
  const other = (
    await h.json<PersonalizedJson>(
      '/api/v1/users/someone-else/personalized?wall=1001&numoffers=500&ip=8.8.8.8',
    )
  ).body;
  t.false(other.offers.some((o) => o.in_progress));
});

test('click and postback validate their parameters', async (t) => {
  const h = await startOfferwall(t);
  const click = await h.json<PersonalizedJson>('/api/v1/click?wall=1001&uid=u&sig=abc');
  t.is(click.res.status, 400);
  t.like(click.body, { error: { code: 'INVALID_PARAMETER', fields: [{ field: 'offer' }] } });
  const pb = await h.json<PersonalizedJson>('/api/v1/postback?wall=1001&uid=u&offer=1&event=base&sig=abc');
  t.like(pb.body, { error: { code: 'INVALID_PARAMETER', fields: [{ field: 'transaction_id' }] } });
});

test('postbacks: bad signature 403, unknown event 400, unknown offer 404, reused transaction 409', async (t) => {
  const h = await startOfferwall(t);
  const offer = multiStep((await h.json<PersonalizedJson>(LIST)).body.offers);
  const good = signedPostback({ uid: 'u-7', offer: offer.offer_id, event: 'base', tx: 'tx-9' });
  const forged = good.replace('uid=u-7', 'uid=u-8');
  t.like((await h.json(`/api/v1/postback?${forged}`)).body, { error: { code: 'INVALID_SIGNATURE' } });
  const unknownEvent = await h.json(
    `/api/v1/postback?${signedPostback({ uid: 'u-7', offer: offer.offer_id, event: 'nope', tx: 'tx-a' })}`,
  );
  t.is(unknownEvent.res.status, 400);
  t.like(unknownEvent.body, { error: { code: 'INVALID_PARAMETER' } });
  const unknownOffer = await h.json(
    `/api/v1/postback?${signedPostback({ uid: 'u-7', offer: 1, event: 'base', tx: 'tx-b' })}`,
  );
  t.is(unknownOffer.res.status, 404);
  t.is((await h.json(`/api/v1/postback?${good}`)).res.status, 200);
  const second = offer.events[1]?.event_id ?? '';
  const reused = await h.json(
    `/api/v1/postback?${signedPostback({ uid: 'u-7', offer: offer.offer_id, event: second, tx: 'tx-9' })}`,
  );
  t.is(reused.res.status, 409);
  t.like(reused.body, { error: { code: 'TRANSACTION_CONFLICT' } });
});

test('a JSON postback body works like the query string', async (t) => {
  const h = await startOfferwall(t);
  const offer = multiStep((await h.json<PersonalizedJson>(LIST)).body.offers);
  const params = Object.fromEntries(
    new URLSearchParams(signedPostback({ uid: 'u-7', offer: offer.offer_id, event: 'base', tx: 'j1' })),
  );
  const { res, body } = await h.json('/api/v1/postback', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(params),
  });
  t.is(res.status, 200);
  t.like(body, { duplicate: false, in_progress: true, completed_events: ['base'] });
});

test('progress survives a restart (lowdb)', async (t) => {
  const dataDir = await tempDir(t, 'data');
  const first = await startOfferwall(t, { dataDir });
  const offer = multiStep((await first.json<PersonalizedJson>(LIST)).body.offers);
  await checkedFetch(offer.click_url, { redirect: 'manual' });
  await first.service.stop();
  const second = await startOfferwall(t, { dataDir });
  const { body } = await second.json<PersonalizedJson>(LIST);
  t.like(find(body, offer.offer_id), { in_progress: true });
});
