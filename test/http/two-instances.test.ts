import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import anyTest, { type TestFn } from 'ava';
import { signPostback } from '../../src/offerwall/domain/signatures.js';
import { type OfferdProcess, startOfferdProcess, unscheduledConfig } from '../helpers/offerd-process.js';
import { checkedFetch } from '../helpers/openapi-check.js';
import { usePostgres } from '../helpers/postgres-server.js';

/**
 * Two offerd processes on one PostgreSQL database, each with its own copy of the rules
 * directory (watcher on), as behind a load balancer: requests alternate between them.
 */
const test = anyTest as TestFn;
const ADMIN = { Authorization: 'Bearer demo-admin-token' };
const JSON_HEADERS = { 'Content-Type': 'application/json' };

const dirs: string[] = [];
const instances: OfferdProcess[] = [];
// Registered before usePostgres, so it runs before the server stops.
test.after.always(async () => {
  await Promise.all(instances.map((i) => i.stop()));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});
const server = usePostgres(test);

const rulesOf = (i: number) => path.join(dirs[0] ?? '', `rules-${i}`);
let a: OfferdProcess;
let b: OfferdProcess;

test.before(async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'offerd-two-'));
  dirs.push(root);
  const config = await unscheduledConfig(path.join(root, 'config'));
  const url = await (await server.ready()).freshDatabase('two');
  const start = async (i: number, id: string) => {
    await cp('rules', rulesOf(i), { recursive: true });
    return startOfferdProcess({
      OFFERD_CONFIG: config,
      OFFERD_RULES_DIR: rulesOf(i),
      OFFERD_STORE: 'postgres',
      DATABASE_URL: url,
      OFFERD_INSTANCE_ID: id,
      // The tests below edit the rules for their purpose; the shipped fixtures do not expect that.
      OFFERD_FIXTURES_GATE: '0',
    });
  };
  // Both start (and migrate) at once.
  [a, b] = await Promise.all([start(0, 'offerd-a'), start(1, 'offerd-b')]);
  instances.push(a, b);
});

interface RulesStatus {
  instance: { id: string; hostname: string; pid: number; startedAt: string };
  apps: { appId: string; active: { version: string; hash: string } }[];
}

async function rules(p: OfferdProcess): Promise<RulesStatus> {
  return (await (await checkedFetch(`${p.url}/admin/rules`, { headers: ADMIN })).json()) as RulesStatus;
}
const demoRules = async (p: OfferdProcess) => (await rules(p)).apps.find((x) => x.appId === 'demo')?.active;

/** Waits until the instance's watcher has activated a banner file of `version`. */
async function bannerVersion(p: OfferdProcess, version: number): Promise<{ version: string; hash: string }> {
  const pattern = new RegExp(`(^|,)banner:${version}(,|$)`);
  for (let i = 0; i < 300; i++) {
    const active = await demoRules(p);
    if (active && pattern.test(active.version)) return active;
    await sleep(50);
  }
  throw new Error(`${p.url} never activated banner version ${version}:\n${p.output()}`);
}

/** Writes the demo banner file into instance `i`'s rules, with the spotlight weights and a version. */
async function writeBanner(i: number, version: number, control: number, spotlight: number): Promise<void> {
  const shipped = await readFile('rules/demo/banner.yaml', 'utf8');
  const text = shipped
    .replace(/^version: \d+$/m, `version: ${version}`)
    .replace('{ id: 0, name: control, weight: 20 }', `{ id: 0, name: control, weight: ${control} }`)
    .replace('{ id: 1, name: spotlight, weight: 80 }', `{ id: 1, name: spotlight, weight: ${spotlight} }`);
  await writeFile(path.join(rulesOf(i), 'demo', 'banner.yaml'), text);
}

async function variation(p: OfferdProcess, userId: string): Promise<[string, number]> {
  const res = await checkedFetch(`${p.url}/ab/getPersonalizedBanner`, {
    method: 'POST',
    headers: { ...JSON_HEADERS, Authorization: 'demo-key' },
    body: JSON.stringify({ userId, offerId: '8622', activeChamp: 'ahri' }),
  });
  const body = (await res.json()) as { kibotuMetadata: { experimentId: string; variationId: number } };
  return [body.kibotuMetadata.experimentId, body.kibotuMetadata.variationId];
}

test.serial('each instance names itself in /admin/rules; both start on the same rules', async (t) => {
  const [ra, rb] = await Promise.all([rules(a), rules(b)]);
  t.like(ra.instance, { id: 'offerd-a', pid: a.child.pid });
  t.like(rb.instance, { id: 'offerd-b', pid: b.child.pid });
  t.truthy(ra.instance.hostname);
  t.truthy(Date.parse(ra.instance.startedAt));
  t.is(ra.apps[0]?.active.hash, rb.apps[0]?.active.hash);
});

test.serial(
  'a banner user gets one variation from both instances, even when their weights disagree',
  async (t) => {
    // A would put every new user in spotlight (1), B in control (0).
    await Promise.all([writeBanner(0, 7, 0, 100), writeBanner(1, 8, 100, 0)]);
    await Promise.all([bannerVersion(a, 7), bannerVersion(b, 8)]);
    t.deepEqual(await variation(b, 'first-on-b'), ['champion-spotlight', 0]);
    t.deepEqual(await variation(a, 'first-on-b'), ['champion-spotlight', 0], 'A serves what B stored');
    t.deepEqual(await variation(a, 'first-on-a'), ['champion-spotlight', 1]);
    t.deepEqual(await variation(b, 'first-on-a'), ['champion-spotlight', 1], 'B serves what A stored');
    // New users asking both at once, then alternating: one variation each, whoever stored it.
    for (let i = 0; i < 30; i++) {
      const user = `racer-${i}`;
      const [fromA, fromB] = await Promise.all([variation(a, user), variation(b, user)]);
      t.deepEqual(fromA, fromB, user);
      t.deepEqual(await variation(i % 2 ? a : b, user), fromA, user);
    }
  },
);

test.serial('each instance hot-reloads its own rules; /admin/rules shows when they converge', async (t) => {
  await writeBanner(0, 9, 20, 80);
  const onA = await bannerVersion(a, 9);
  const onB = await demoRules(b);
  t.regex(onB?.version ?? '', /(^|,)banner:8(,|$)/, 'B still runs its own version');
  t.not(onA.hash, onB?.hash);
  await writeBanner(1, 9, 20, 80);
  const converged = await bannerVersion(b, 9);
  t.is(converged.hash, onA.hash);
  t.is(converged.version, onA.version);
});

const journeys = (p: OfferdProcess, route: string, init: RequestInit = {}) =>
  checkedFetch(`${p.url}/v1/user-journeys${route}`, {
    ...init,
    headers: { ...JSON_HEADERS, 'X-API-Key': 'pk_test_demo' },
  });
const generate = async (p: OfferdProcess) =>
  (await (
    await checkedFetch(`${p.url}/admin/apps/demo/journeys/generate?environment=test`, {
      method: 'POST',
      headers: ADMIN,
    })
  ).json()) as { totals: { offersCreated: number } };
const offersOf = async (p: OfferdProcess, user: string) =>
  (
    (await (await journeys(p, `/users/${user}/offers`)).json()) as {
      data: { offers: { id: string; offerType: string }[] };
    }
  ).data.offers;
const claim = (p: OfferdProcess, user: string, offerId: string) =>
  journeys(p, `/users/${user}/offers/${offerId}/claim`, { method: 'POST' });

test.serial(
  'journeys: generation on both at once keeps the limits; a claim on A cannot be repeated on B',
  async (t) => {
    const users = Array.from({ length: 20 }, (_, i) => `journeyer-${i}`);
    const events = users.map((externalId) => ({
      externalId,
      eventType: 'spin',
      category: 'GAME_PLAY',
      points: 5,
    }));
    t.is((await journeys(a, '/track', { method: 'POST', body: JSON.stringify({ events }) })).status, 201);
    const runs = await Promise.all([generate(a), generate(b)]);
    const lists = await Promise.all(users.map((u, i) => offersOf(i % 2 ? a : b, u)));
    for (const [i, list] of lists.entries()) {
      t.true(list.length > 0 && list.length <= 3, users[i]);
      t.is(new Set(list.map((o) => o.offerType)).size, list.length, `${users[i]}: one per type`);
    }
    t.is(
      runs[0].totals.offersCreated + runs[1].totals.offersCreated,
      lists.reduce((n, l) => n + l.length, 0),
      'every offer was created by exactly one of the runs',
    );
    const [u0, u1] = [users[0] ?? '', users[1] ?? ''];
    const first = lists[0]?.[0]?.id ?? '';
    t.is((await claim(a, u0, first)).status, 200);
    t.is((await claim(b, u0, first)).status, 400);
    const raced = lists[1]?.[0]?.id ?? '';
    const both = await Promise.all([claim(a, u1, raced), claim(b, u1, raced)]);
    t.deepEqual(both.map((r) => r.status).sort(), [200, 400]);
  },
);

function postbackQuery(uid: string, offer: number, tx: string): string {
  const sig = signPostback('demo-postback-secret-change-me', {
    wallId: 1001,
    uid,
    offerId: offer,
    eventId: 'base',
    transactionId: tx,
  });
  return new URLSearchParams({
    wall: '1001',
    uid,
    offer: String(offer),
    event: 'base',
    transaction_id: tx,
    sig,
  }).toString();
}

test.serial(
  'offerwall: a postback replayed on the other instance changes nothing; a ban on A blocks on B',
  async (t) => {
    const list = await checkedFetch(
      `${a.url}/api/v1/users/earner/personalized?wall=1001&numoffers=1&ip=8.8.8.8&sid3=s-1`,
    );
    const offer = ((await list.json()) as { offers: { offer_id: number }[] }).offers[0]?.offer_id ?? 0;
    const q = postbackQuery('earner', offer, 'tx-two-instances');
    const first = (await (await checkedFetch(`${a.url}/api/v1/postback?${q}`)).json()) as Record<
      string,
      unknown
    >;
    const replay = (await (await checkedFetch(`${b.url}/api/v1/postback?${q}`)).json()) as Record<
      string,
      unknown
    >;
    t.like(first, { status: 'success', duplicate: false });
    t.like(replay, { status: 'success', duplicate: true });
    t.deepEqual(
      { ...replay, duplicate: false, support_id: null },
      { ...first, support_id: null },
      'the replay reports the same progress',
    );

    const ban = await checkedFetch(`${a.url}/admin/apps/demo/bans`, {
      method: 'POST',
      headers: { ...ADMIN, ...JSON_HEADERS },
      body: JSON.stringify({ type: 'user', value: 'earner', reason: 'fraud' }),
    });
    t.is(ban.status, 201);
    const blocked = await checkedFetch(
      `${b.url}/api/v1/users/earner/personalized?wall=1001&numoffers=1&ip=8.8.8.8`,
    );
    t.is(blocked.status, 403);
    t.like(await blocked.json(), { status: 'failure', error: { code: 'USER_BANNED' } });
  },
);
