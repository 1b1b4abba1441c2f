/**
 * A link (`_kb_identify`, `$create_alias`) racing a profile update of its id, or another
 * link, ends as one of the two orders would: never an acknowledged update lost behind a
 * link, an id with data made an alias, or a chain of links (hostile-client probe: on
 * PostgreSQL 14 of 20 sign-ins lost the /engage sent with them, 8 of 20 racing links chained).
 * So does a link racing the alias id's own events, renders and special-offer grants (probe
 * h41 on PostgreSQL: purchases stored under a linked alias 6 of 10, the player's variation
 * changed 7 of 20, a one-per-player offer granted twice 15 of 20).
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

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The user facts explain reads for `id` (through its alias, if linked). */
async function userFacts(s: TestService, id: string): Promise<{ purchases?: number }> {
  const res = await s.fetch('/admin/apps/demo/explain', {
    method: 'POST',
    headers: { ...ADMIN, 'Content-Type': 'application/json' },
    body: JSON.stringify({ api: 'banner', user: id, request: { offerId: '1' } }),
  });
  return ((await res.json()) as { why: { facts: { user: { purchases?: number } } } }).why.facts.user;
}

/** A render of the champion-spotlight experiment's audience: its experiment and variation. */
async function variation(s: TestService, id: string): Promise<string> {
  const res = await s.fetch('/ab/getPersonalizedBanner', {
    method: 'POST',
    headers: SDK,
    body: JSON.stringify({ userId: id, offerId: '1', activeChamp: 'ahri' }),
  });
  const meta = ((await res.json()) as { kibotuMetadata: { experimentId: string; variationId: number } })
    .kibotuMetadata;
  return `${meta.experimentId}:${meta.variationId}`;
}

/** getSpecialOffer at level-up: the offer granted, or '' for none. */
async function levelUpOffer(s: TestService, id: string, predictId: string): Promise<string> {
  const res = await s.fetch('/feature?ip=0', {
    method: 'POST',
    headers: SDK,
    body: JSON.stringify({
      featureName: 'special_offer_on_level_up',
      distinct_id: id,
      predict_id: predictId,
    }),
  });
  return ((await res.json()) as { specialOffer: { offerId: string } | null }).specialOffer?.offerId ?? '';
}

/**
 * A player `d` (seen once) signs in as a new id `a` while the game already sends under `a`:
 * `write` runs concurrently with the link, a little after it (0 to 16 ms: either may come
 * first). Every other round links with Unity's `_kb_identify` instead of `$create_alias`.
 */
async function raceAlias<T>(s: TestService, d: string, a: string, i: number, write: () => Promise<T>) {
  acknowledged(await send(s, '/track', [{ event: 'Start', properties: { distinct_id: d } }]));
  const event =
    i % 2 === 0
      ? { event: '$create_alias', properties: { distinct_id: d, alias: a } }
      : { event: '_kb_identify', properties: { distinct_id: a, _kb_anon_distinct_id: d } };
  const link = send(s, '/track', [event]);
  await pause((i % 5) * 4);
  const [written, linked] = await Promise.all([write(), link]);
  return { written, linked: linked === '1' && (await standsFor(s, a)) === d };
}

function acknowledged(answer: string): void {
  if (answer !== '1') throw new Error(`the SDK call was refused: ${answer}`);
}

/** Purchases tracked for `a` while it is being linked count for the player, linked or not. */
async function eventsRace(t: ExecutionContext, s: TestService, store: string): Promise<void> {
  let [lost, links] = [0, 0];
  for (let i = 0; i < ROUNDS; i++) {
    const [d, a] = [`${store}-ev-d-${i}`, `${store}-ev-a-${i}`];
    const purchase = () =>
      send(s, '/track', [{ event: 'SpecialOfferPopupPurchased', properties: { distinct_id: a } }]);
    const { written, linked } = await raceAlias(s, d, a, i, () =>
      Promise.all([purchase(), purchase(), purchase()]),
    );
    if (linked) links++;
    t.deepEqual(written, ['1', '1', '1']);
    if ((await userFacts(s, a)).purchases !== 3) lost++;
  }
  t.log(`${links} of ${ROUNDS} links made, the others refused`);
  t.is(lost, 0, `${lost} of ${ROUNDS} players lost purchases tracked while their id was linked`);
}

/** Renders of `a` while it is being linked show the player one variation, counted as one user. */
async function rendersRace(t: ExecutionContext, s: TestService, store: string): Promise<void> {
  let [changed, links] = [0, 0];
  for (let i = 0; i < ROUNDS; i++) {
    const [d, a] = [`${store}-re-d-${i}`, `${store}-re-a-${i}`];
    const { written, linked } = await raceAlias(s, d, a, i, () =>
      Promise.all([variation(s, a), variation(s, a), variation(s, a)]),
    );
    const shown = new Set([...written, await variation(s, a)]);
    if (shown.size !== 1) changed++;
    if (linked) links++;
    t.true(
      [...shown].every((v) => v.startsWith('champion-spotlight:')),
      [...shown].join(' '),
    );
  }
  t.log(`${links} of ${ROUNDS} links made, the others refused`);
  // The experiment's results count each player once (an assignment left under the alias counted two).
  const res = await s.fetch('/admin/apps/demo/experiments/champion-spotlight', { headers: ADMIN });
  const { users } = (await res.json()) as { users: number };
  t.is(users, ROUNDS, `${users} users enrolled for ${ROUNDS} players`);
  t.is(changed, 0, `${changed} of ${ROUNDS} players saw their variation change`);
}

/** A one-per-player offer asked for by `a` while it is being linked is granted once per player. */
async function grantsRace(t: ExecutionContext, s: TestService, store: string): Promise<void> {
  let [twice, links] = [0, 0];
  for (let i = 0; i < ROUNDS; i++) {
    const [d, a] = [`${store}-gr-d-${i}`, `${store}-gr-a-${i}`];
    const { written, linked } = await raceAlias(s, d, a, i, () =>
      Promise.all([levelUpOffer(s, a, 'p1'), levelUpOffer(s, a, 'p2')]),
    );
    const asD = await levelUpOffer(s, d, 'p3');
    const grants = [...written, ...(linked ? [asD] : [])].filter((o) => o === 'level-up-starter');
    if (grants.length > 1) twice++;
    if (linked) links++;
  }
  t.log(`${links} of ${ROUNDS} links made, the others refused`);
  t.is(twice, 0, `${twice} of ${ROUNDS} players got the maxPerUser: 1 offer more than once`);
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

test.serial(
  'PostgreSQL: a sign-in racing the profile update of its id, and two racing links, end as one order would',
  async (t) => {
    const s = await startTestService(t, {
      env: { OFFERD_STORE: 'postgres', DATABASE_URL: await server().freshDatabase('aliasraces') },
    });
    await races(t, s, 'pg');
  },
);

test('lowdb: the same races end as one order would', async (t) => {
  const s = await startTestService(t);
  await races(t, s, 'low');
});

const WRITE_RACES = { events: eventsRace, renders: rendersRace, grants: grantsRace };

for (const [name, race] of Object.entries(WRITE_RACES)) {
  // One PostgreSQL service at a time: four starting at once on two busy cores missed the connect timeout.
  test.serial(`PostgreSQL: ${name} of an id racing its alias end as one order would`, async (t) => {
    const s = await startTestService(t, {
      env: { OFFERD_STORE: 'postgres', DATABASE_URL: await server().freshDatabase(`alias${name}`) },
    });
    await race(t, s, 'pg');
  });

  test(`lowdb: ${name} of an id racing its alias end as one order would`, async (t) => {
    const s = await startTestService(t);
    await race(t, s, 'low');
  });
}
