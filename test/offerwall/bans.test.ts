import test from 'ava';
import { ADMIN, type PersonalizedJson, startOfferwall } from '../helpers/offerwall-service.js';
import { checkedFetch } from '../helpers/openapi-check.js';

const LIST = (uid: string, ip: string) => `/api/v1/users/${uid}/personalized?wall=1001&numoffers=5&ip=${ip}`;
const post = (body: unknown) => ({
  method: 'POST',
  headers: { ...ADMIN, 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});

test('a banned user gets 403 USER_BANNED until the ban is removed', async (t) => {
  const h = await startOfferwall(t);
  const created = await h.json<{ id: string; type: string }>(
    '/admin/apps/demo/bans',
    post({ type: 'user', value: 'cheater', reason: 'chargebacks' }),
  );
  t.is(created.res.status, 201);
  t.like(created.body, { type: 'user', value: 'cheater', wallId: null, reason: 'chargebacks' });
  const banned = await h.json<PersonalizedJson>(LIST('cheater', '8.8.8.8'));
  t.is(banned.res.status, 403);
  t.like(banned.body, { status: 'failure', error: { code: 'USER_BANNED' } });
  t.is(typeof banned.body.support_id, 'number');
  t.truthy(banned.res.headers.get('x-rules-version'));
  t.is((await h.get(LIST('honest', '8.8.8.8'))).status, 200);

  const list = await h.json<{ bans: { id: string }[] }>('/admin/apps/demo/bans', { headers: ADMIN });
  t.deepEqual(
    list.body.bans.map((b) => b.id),
    [created.body.id],
  );
  const del = await h.get(`/admin/apps/demo/bans/${created.body.id}`, { method: 'DELETE', headers: ADMIN });
  t.is(del.status, 204);
  t.is((await h.get(LIST('cheater', '8.8.8.8'))).status, 200);
  const again = await h.json(`/admin/apps/demo/bans/${created.body.id}`, {
    method: 'DELETE',
    headers: ADMIN,
  });
  t.is(again.res.status, 404);
});

test('an IP ban covers a CIDR range: 403 IP_BANNED inside, served outside', async (t) => {
  const h = await startOfferwall(t);
  t.is(
    (await h.get('/admin/apps/demo/bans', post({ type: 'ip', value: '5.9.0.0/16', reason: 'bot farm' })))
      .status,
    201,
  );
  const inside = await h.json<PersonalizedJson>(LIST('anyone', '5.9.0.1'));
  t.is(inside.res.status, 403);
  t.is(inside.body.error?.code, 'IP_BANNED');
  t.is((await h.get(LIST('anyone', '8.8.8.8'))).status, 200);
});

test("a ban on the caller's own address holds when the request names another ip, also before a bad parameter", async (t) => {
  const h = await startOfferwall(t);
  // The test client calls from loopback: ban it, then name a clean address.
  t.is(
    (await h.get('/admin/apps/demo/bans', post({ type: 'ip', value: '127.0.0.0/8', reason: 'scraper' })))
      .status,
    201,
  );
  const named = await h.json<PersonalizedJson>(LIST('anyone', '8.8.8.8'));
  t.is(named.res.status, 403);
  t.is(named.body.error?.code, 'IP_BANNED');
  const bad = await h.json<PersonalizedJson>(`${LIST('anyone', '8.8.8.8')}&numoffers=0`);
  t.is(bad.res.status, 403, 'a ban answers before a bad parameter, as for a named ip');
});

test('a user ban on one wall is checked against that wall', async (t) => {
  const h = await startOfferwall(t);
  const ok = await h.get(
    '/admin/apps/demo/bans',
    post({ type: 'user', value: 'w', wallId: 1001, reason: 'abuse' }),
  );
  t.is(ok.status, 201);
  t.is((await h.json<PersonalizedJson>(LIST('w', '8.8.8.8'))).body.error?.code, 'USER_BANNED');
});

test('a banned user cannot click through either', async (t) => {
  const h = await startOfferwall(t);
  const { body } = await h.json<PersonalizedJson>(LIST('later-banned', '8.8.8.8'));
  await h.get('/admin/apps/demo/bans', post({ type: 'user', value: 'later-banned', reason: 'fraud' }));
  const res = await checkedFetch(body.offers[0]?.click_url ?? '', { redirect: 'manual' });
  t.is(res.status, 403);
  t.like(await res.json(), { error: { code: 'USER_BANNED' } });
});

test('ban admin: token required, input validated, unknown app 404', async (t) => {
  const h = await startOfferwall(t);
  t.is((await h.get('/admin/apps/demo/bans')).status, 401);
  const bad = await h.json<{ error: { code: string; fields: { field: string }[] } }>(
    '/admin/apps/demo/bans',
    post({ type: 'device', value: '', wallId: 5, reason: '' }),
  );
  t.is(bad.res.status, 400);
  t.deepEqual(
    bad.body.error.fields.map((f) => f.field),
    ['type', 'value', 'wallId', 'reason'],
  );
  const badIp = await h.json<{ error: { fields: { field: string }[] } }>(
    '/admin/apps/demo/bans',
    post({ type: 'ip', value: '5.9.0.0/40', reason: 'x' }),
  );
  t.is(badIp.res.status, 400);
  t.is(badIp.body.error.fields[0]?.field, 'value');
  // A misspelt field is named and nothing is stored (it was stored beside the ban: full fuzz run).
  const typo = await h.json<{ error: { fields: { field: string; message: string }[] } }>(
    '/admin/apps/demo/bans',
    post({ type: 'user', value: 'typo-1', reason: 'x', wallID: 1001, '': null }),
  );
  t.is(typo.res.status, 400);
  t.deepEqual(typo.body.error.fields.map((f) => f.field).sort(), ['""', 'wallID']);
  t.true(typo.body.error.fields.every((f) => f.message.endsWith('is not a field of this request')));
  const list = await h.json<{ bans: { value: string }[] }>('/admin/apps/demo/bans', { headers: ADMIN });
  t.false(
    list.body.bans.some((b) => b.value === 'typo-1'),
    'the refused ban was not stored',
  );
  t.is((await h.get('/admin/apps/nope/bans', { headers: ADMIN })).status, 404);
  // One problem per field: a wall id that is no integer was also "not one of this app's walls".
  const fraction = await h.json<{ error: { fields: { field: string }[] } }>(
    '/admin/apps/demo/bans',
    post({ type: 'user', value: 'w-1', wallId: 1.5, reason: 'x' }),
  );
  t.deepEqual(
    fraction.body.error.fields.map((f) => f.field),
    ['wallId'],
  );
});

// Hostile probe: two identical adds stored two bans (30 concurrent: 30), so deleting "the
// ban" left the user banned; and `10.0.0.0/0` was accepted and banned every caller.
test('adding a ban the app holds returns that ban (200, same id), concurrent adds included', async (t) => {
  const h = await startOfferwall(t);
  const add = (body: unknown) => h.json<{ id: string; reason: string }>('/admin/apps/demo/bans', post(body));
  const first = await add({ type: 'user', value: 'dupban', reason: 'chargebacks' });
  t.is(first.res.status, 201);
  const again = await add({ type: 'user', value: 'dupban', reason: 'again' });
  t.is(again.res.status, 200);
  t.deepEqual(again.body, first.body, 'the stored ban, unchanged');
  const racing = await Promise.all(
    Array.from({ length: 30 }, () => add({ type: 'user', value: 'racer', reason: 'bot' })),
  );
  t.deepEqual(racing.map((r) => r.res.status).sort(), [...Array(29).fill(200), 201]);
  t.is(new Set(racing.map((r) => r.body.id)).size, 1);
  const list = await h.json<{ bans: { value: string }[] }>('/admin/apps/demo/bans', { headers: ADMIN });
  t.deepEqual(
    list.body.bans.map((b) => b.value),
    ['dupban', 'racer'],
  );
  const onWall = await add({ type: 'user', value: 'dupban', wallId: 1001, reason: 'one wall' });
  t.is(onWall.res.status, 201, 'the same value on one wall is another ban');
  for (const id of [first.body.id, onWall.body.id]) {
    t.is((await h.get(`/admin/apps/demo/bans/${id}`, { method: 'DELETE', headers: ADMIN })).status, 204);
  }
  t.is((await h.get(LIST('dupban', '8.8.8.8'))).status, 200, 'lifting the ban lifts it');
});

// Hostile probe: 7.7.7.7, 7.7.7.7/32, ::ffff:7.7.7.7 and ::ffff:707:707 were four bans, and
// lifting "the" ban left the address banned.
test('an IP ban is one ban however its address or range is spelled, and lifting it lifts it', async (t) => {
  const h = await startOfferwall(t);
  const add = (value: string) =>
    h.json<{ id: string; value: string }>(
      '/admin/apps/demo/bans',
      post({ type: 'ip', value, reason: 'fraud' }),
    );
  for (const spellings of [
    ['7.7.7.7', '7.7.7.7/32', '::ffff:7.7.7.7', '::ffff:7.7.7.7/128', '::FFFF:707:707'],
    ['2001:db8:1::1', '2001:DB8:1::1', '2001:db8:1:0:0:0:0:1', '2001:0db8:0001::0001/128'],
    ['10.0.0.0/8', '10.1.2.3/8', '10.255.255.255/08', '::ffff:10.0.0.0/104', '::ffff:a00:0/104'],
    ['2001:db9::/32', '2001:DB9:0::/32', '2001:db9:ffff::1/32'],
    // IPv4-compatible (::a.b.c.d) is not IPv4: ::0.0.0.0/96 was stored as 0.0.0.0/0 and banned everyone.
    ['::707:707', '::7.7.7.7'],
    ['::/96', '::0.0.0.0/96'],
  ]) {
    const first = await add(spellings[0] as string);
    t.is(first.res.status, 201, spellings[0]);
    for (const other of spellings.slice(1)) {
      const again = await add(other);
      t.is(again.res.status, 200, `${other} is the ban on ${spellings[0]}`);
      t.is(again.body.id, first.body.id, other);
    }
  }
  const list = await h.json<{ bans: { id: string; value: string }[] }>('/admin/apps/demo/bans', {
    headers: ADMIN,
  });
  t.deepEqual(
    list.body.bans.map((b) => b.value),
    ['7.7.7.7', '2001:db8:1::1', '10.0.0.0/8', '2001:db9::/32', '::707:707', '::/96'],
    'stored in one spelling',
  );
  t.is((await h.get(LIST('anyone', '8.8.8.8'))).status, 200, 'no IPv4 caller is under ::/96');
  t.is((await h.get(LIST('anyone', '7.7.7.7'))).status, 403);
  const seven = list.body.bans.find((b) => b.value === '7.7.7.7');
  t.is((await h.get(`/admin/apps/demo/bans/${seven?.id}`, { method: 'DELETE', headers: ADMIN })).status, 204);
  t.is((await h.get(LIST('anyone', '7.7.7.7'))).status, 200, 'lifting the ban lifts it');
});

test('an IP range wider than /8 (IPv4) or /32 (IPv6) is refused naming value', async (t) => {
  const h = await startOfferwall(t);
  const add = (value: string) =>
    h.json<{ error?: { code: string; fields: { field: string; message: string }[] } }>(
      '/admin/apps/demo/bans',
      post({ type: 'ip', value, reason: 'range' }),
    );
  for (const value of [
    '10.0.0.0/0',
    '0.0.0.0/0',
    '10.0.0.0/7',
    '::/0',
    '2001:db8::/31',
    '::/32',
    '::ffff:0:0/96',
    '::ffff:0.0.0.0/103',
  ]) {
    const res = await add(value);
    t.is(res.res.status, 400, value);
    t.like(res.body.error, { code: 'INVALID_INPUT', fields: [{ field: 'value' }] }, value);
  }
  for (const value of [
    '10.0.0.0/8',
    '5.6.7.8/32',
    '5.6.7.9',
    '2001:db8::/32',
    '2001:db8::1',
    '::ffff:11.0.0.0/104',
  ]) {
    t.is((await add(value)).res.status, 201, value);
  }
  t.is((await h.get(LIST('anyone', '8.8.8.8'))).status, 200, 'no ban took everyone');
});
