/**
 * A link (`_kb_identify`, `$create_alias`) racing a profile update of its id, or another
 * link, ends as one of the two orders would: never an acknowledged update lost behind a
 * link, an id with data made an alias, or a chain of links (hostile-client probe: on
 * PostgreSQL 14 of 20 sign-ins lost the /engage sent with them, 8 of 20 racing links chained).
 */
import test, { type ExecutionContext } from 'ava';
import { DEMO_KEY } from '../helpers/banner-client.js';
import { usePostgres } from '../helpers/postgres-server.js';
import { ADMIN, startTestService, type TestService } from '../helpers/start-test-service.js';

const server = usePostgres(test);
const ROUNDS = 20;
const SDK = { 'Content-Type': 'application/json', Authorization: DEMO_KEY };

async function send(s: TestService, path: string, body: unknown): Promise<string> {
  const res = await s.fetch(path, { method: 'POST', headers: SDK, body: JSON.stringify(body) });
  return res.text();
}

/** The user's profile properties as explain reads them (through their alias, if linked). */
async function properties(s: TestService, user: string): Promise<Record<string, unknown>> {
  const res = await s.fetch('/admin/apps/demo/explain', {
    method: 'POST',
    headers: { ...ADMIN, 'Content-Type': 'application/json' },
    body: JSON.stringify({ api: 'banner', user, request: { offerId: '8622', countryIso2: 'DE' } }),
  });
  const body = (await res.json()) as {
    why?: { facts?: { user?: { properties?: Record<string, unknown> } } };
  };
  return body.why?.facts?.user?.properties ?? {};
}

/** The user id a render answers as: the user `id` stands for. */
async function standsFor(s: TestService, id: string): Promise<string> {
  const res = await s.fetch('/ab/getPersonalizedBanner', {
    method: 'POST',
    headers: SDK,
    body: JSON.stringify({ userId: id, offerId: '8622', countryIso2: 'DE' }),
  });
  return ((await res.json()) as { kibotuMetadata: { userId: string } }).kibotuMetadata.userId;
}

async function races(t: ExecutionContext, s: TestService, store: string): Promise<void> {
  let lost = 0;
  let chained = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const [anon, signedIn] = [`${store}-anon-${i}`, `${store}-new-${i}`];
    t.is(await send(s, '/engage', [{ $distinct_id: anon, $set: { device_data: 1 } }]), '1');
    const answers = await Promise.all([
      send(s, '/engage', [{ $distinct_id: signedIn, $set: { signed_in_data: 1 } }]),
      send(s, '/track', [
        { event: '_kb_identify', properties: { distinct_id: signedIn, _kb_anon_distinct_id: anon } },
      ]),
    ]);
    t.deepEqual(answers, ['1', '1']);
    // Either order is fine; the acknowledged $set must be what the signed-in id reads.
    if ((await properties(s, signedIn)).signed_in_data !== 1) lost++;

    const [a, b, c] = [`${store}-a-${i}`, `${store}-b-${i}`, `${store}-c-${i}`];
    await Promise.all([
      send(s, '/track', [{ event: '$create_alias', properties: { distinct_id: a, alias: b } }]),
      send(s, '/track', [{ event: '$create_alias', properties: { distinct_id: b, alias: c } }]),
    ]);
    // b→a then c→a, or c→b with b then refused (it is a user others link to): never c→b→a.
    const [bIs, cIs] = [await standsFor(s, b), await standsFor(s, c)];
    if (cIs === b && bIs === a) chained++;
  }
  t.is(lost, 0, `${lost} of ${ROUNDS} sign-ins lost the profile update sent with them`);
  t.is(chained, 0, `${chained} of ${ROUNDS} racing links made a chain`);
}

test('PostgreSQL: a sign-in racing the profile update of its id, and two racing links, end as one order would', async (t) => {
  const s = await startTestService(t, {
    env: { OFFERD_STORE: 'postgres', DATABASE_URL: await server().freshDatabase('aliasraces') },
  });
  await races(t, s, 'pg');
});

test('lowdb: the same races end as one order would', async (t) => {
  const s = await startTestService(t);
  await races(t, s, 'low');
});
