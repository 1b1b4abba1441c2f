/**
 * The Kibotu SDK bodies of /engage, /groups and /feature as their schemas
 * (src/banner/sdk/sdk-schemas.ts) judge them: a bad update is rejected alone with the
 * schema's reason, a bad /feature body is refused naming its field (`0` at HTTP 200, as every
 * SDK route answers what no resend can change).
 */
import test from 'ava';
import { ProfileDocumentStore } from '../../src/banner/store/profile-document-store.js';
import { DEMO_KEY } from '../helpers/banner-client.js';
import { startTestService, type TestService } from '../helpers/start-test-service.js';

async function post(s: TestService, path: string, body: unknown) {
  const res = await s.fetch(`${path}?ip=0&verbose=1`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: DEMO_KEY },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function offerFor(s: TestService, distinctId: string): Promise<unknown> {
  const body = [{ featureName: 'special_offer_on_level_up', distinct_id: distinctId, predict_id: 'p' }];
  const reply = (await post(s, '/feature', body)).body as { specialOffer: { offerId: string } | null };
  return reply.specialOffer?.offerId ?? null;
}

test('/engage rejects each bad update with the reason its schema gives, in either SDK’s spelling, and applies the rest', async (t) => {
  const s = await startTestService(t);
  const reply = await post(s, '/engage', [
    { _kb_add: { coins: 'many' }, distinct_id: 'schema-1' },
    { $set: { vip_level: 9 } },
    { $distinct_id: 'schema-1', $ip: '5.9.0.1' },
    { $set: { vip_level: 9 }, $distinct_id: 'schema-1', $ignore_time: true },
    'not an update',
  ]);
  t.is(reply.status, 200, 'the valid update is stored, so the SDK must not retry the batch');
  t.is(reply.body.status, 0);
  t.deepEqual(reply.body.failed_records, [
    { index: 0, field: '_kb_add.coins', message: 'must be a number' },
    { index: 1, field: '$distinct_id', message: 'is required (an id of at most 256 characters)' },
    {
      index: 2,
      field: '',
      message: 'no operation (one of $set, $set_once, $add, $append, $union, $remove, $unset, $delete)',
    },
    { index: 4, field: '', message: 'must be an object' },
  ]);
  t.regex(String(reply.body.error), /^4 of 5 records rejected: \[0\] _kb_add\.coins must be a number/);
  t.is(await offerFor(s, 'schema-1'), 'vip-level-up-bundle', 'update 3 was applied');
});

test('/engage refuses an update that would take a profile past 128 KB of JSON by its index and applies the rest', async (t) => {
  const s = await startTestService(t);
  // The hostile client's request (15 properties of 60 KB): 33 of them made a 30 MB profile.
  const blobs = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`blob${i}`, 'x'.repeat(60_000)]));
  const reply = await post(s, '/engage', [
    { $set: blobs, $distinct_id: 'heavy-1' },
    { $set: { vip_level: 9 }, $distinct_id: 'heavy-1' },
  ]);
  t.is(reply.status, 200, 'a retry could not fix the update; the SDK must not retry the batch');
  const message = `a profile holds at most 131072 bytes of JSON (128 KB); this update would make it ${Buffer.byteLength(JSON.stringify(blobs))}`;
  t.deepEqual(reply.body, {
    status: 0,
    error: `1 of 2 records rejected: [0] ${message}`,
    failed_records: [{ index: 0, field: '', message }],
  });
  t.is(await offerFor(s, 'heavy-1'), 'vip-level-up-bundle', 'update 1 was applied');
});

test('/engage refuses an update that would take a profile past 5,000 JSON values by its index; the profile is unchanged', async (t) => {
  const s = await startTestService(t);
  // The hostile client's update: three lists of 1,999 `{}` (18 KB of JSON, 375 KB of heap).
  const empties = () => Array.from({ length: 1999 }, () => ({}));
  const probe = { a: empties(), b: empties(), c: empties() };
  t.true((await post(s, '/engage', [{ $set: { vip_level: 1 }, $distinct_id: 'amp-1' }])).status === 200);
  const reply = await post(s, '/engage', [
    { $set: probe, $distinct_id: 'amp-1' },
    { $set: probe, $distinct_id: 'amp-2' },
    { $set: { vip_level: 9 }, $distinct_id: 'amp-1' },
  ]);
  t.is(reply.status, 200, 'a retry could not fix the update; the SDK must not retry the batch');
  const message = (n: number) =>
    `a profile holds at most 5000 JSON values (every object, array and scalar counts one); this update would make it ${n}, 2000 of them in a`;
  t.deepEqual(reply.body, {
    status: 0,
    error: `2 of 3 records rejected: [0] ${message(6002)}; [1] ${message(6001)}`,
    failed_records: [
      { index: 0, field: '', message: message(6002) },
      { index: 1, field: '', message: message(6001) },
    ],
  });
  const plain = await s.fetch('/engage?ip=0', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: DEMO_KEY },
    body: JSON.stringify([{ $set: probe, $distinct_id: 'amp-1' }]),
  });
  t.deepEqual([plain.status, await plain.text()], [200, '0'], 'without verbose: the SDK’s failure reply');
  // Read afresh from the service's files, as a restart would: nothing of the probe was kept.
  const stored = await ProfileDocumentStore.open(s.config.dataDir);
  t.deepEqual(await stored.profile('demo', 'user', 'amp-1'), { vip_level: 9 });
  t.is(await stored.profile('demo', 'user', 'amp-2'), null);
});

test('/groups names a group without its id; /feature refuses naming the field its schema refuses', async (t) => {
  const s = await startTestService(t);
  const groups = await post(s, '/groups', [
    { $group_key: 'guild', $set: { size: 3 } },
    { $group_key: 'guild', $group_id: 'g-1', $set: { size: 3 } },
  ]);
  t.deepEqual(groups.body.failed_records, [
    { index: 0, field: '$group_id', message: 'is required (an id of at most 256 characters)' },
  ]);
  const noUser = await post(s, '/feature', [{ featureName: 'special_offer_on_level_up', predict_id: 'p' }]);
  t.like(noUser, { status: 200, body: { status: 0 } });
  t.regex(String(noUser.body.error), /distinct_id/);
  const two = await post(s, '/feature', [{ featureName: 'a' }, { featureName: 'b' }]);
  t.like(two, { status: 200, body: { status: 0 } });
  t.regex(String(two.body.error), /must be a JSON object \(or a list of one\)/);
  const other = await s.fetch('/feature?ip=0', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: DEMO_KEY },
    body: JSON.stringify({ featureName: 'new_shop_layout' }),
  });
  t.is(
    await other.text(),
    '1',
    'a bare object is a list of one; a feature offerd does not serve is a plain success',
  );
});

test('hostile /engage, /groups and /feature bodies are a 200 naming the bad records or the body, never a 500', async (t) => {
  const s = await startTestService(t);
  const bodies: unknown[] = [
    null,
    42,
    [],
    [null, [], 'x', 7],
    [{ $distinct_id: null, distinct_id: '', _kb_distinct_id: {}, $set: { a: 1 } }],
    [{ $distinct_id: 'u', $set: null, $unset: [1], $union: { l: [[1]] }, $remove: { r: {} } }],
    [{ $distinct_id: 'u', _kb_set: { a: 1 }, $set: { b: 2 }, $delete: null }],
    [{ $group_key: 7, $group_id: 8, $add: { n: -1.5 } }],
    [{ $distinct_id: 'u'.repeat(257), $set: { a: 1 } }],
    { featureName: 'special_offer_on_x', distinct_id: 5, propOverrides: [] },
    [{ featureName: 'special_offer_on_', distinct_id: 'u', predict_id: {} }],
  ];
  for (const path of ['/engage', '/groups', '/feature']) {
    for (const body of bodies) {
      const reply = await post(s, path, body);
      t.is(reply.status, 200, `${path} ${JSON.stringify(body)}`);
      t.is(typeof reply.body.status, 'number', `${path} ${JSON.stringify(body)}: the SDK's reply`);
    }
  }
});
