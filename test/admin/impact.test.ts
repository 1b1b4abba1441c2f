import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { runCli } from '../../src/cli/main.js';
import { DEMO_KEY } from '../helpers/banner-client.js';
import { seedEveryApi } from '../helpers/demo-data.js';
import { copyOfShippedRules } from '../helpers/rules-fixture.js';
import { ADMIN, startTestService, type TestService } from '../helpers/start-test-service.js';
import { post, REQUEST } from '../helpers/vip-banner.js';

// biome-ignore lint/suspicious/noExplicitAny: the report is read field by field
type Json = Record<string, any>;

async function edit(file: string, from: string, to: string): Promise<void> {
  const text = await readFile(file, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} has no '${from}'`);
  await writeFile(file, text.replace(from, to));
}

const impact = async (s: TestService, body: unknown, app = 'demo') => {
  const res = await s.fetch(`/admin/apps/${app}/impact`, {
    method: 'POST',
    headers: { ...ADMIN, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Json };
};

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

/** Offerwall players from two countries, new ones (no clicks yet) included: real traffic to replay. */
const WALL_VISITS = [
  ['new-us-1', '8.8.8.8'],
  ['new-us-2', '8.8.4.4'],
  ['new-de-1', '5.9.0.1'],
  ['new-de-2', '5.9.0.2'],
  ['new-us-3', '1.1.1.1'],
] as const;

/** The shipped demo rules with the offerwall's ranking moved from EPC to payout. */
async function payoutDraft(t: Parameters<typeof copyOfShippedRules>[0]): Promise<string> {
  const draft = await copyOfShippedRules(t);
  const file = path.join(draft, 'demo', 'offerwall.yaml');
  await edit(file, 'epc: 0.30', 'epc: 0.00');
  await edit(file, 'payout: 0.10', 'payout: 0.40');
  return draft;
}

test.serial(
  'real traffic recorded on lowdb, a draft that weighs payout over EPC: the impact route and offerd diff --replay report the same business numbers',
  async (t) => {
    const live = await copyOfShippedRules(t);
    const s = await startTestService(t, {
      env: { OFFERD_DECISION_LOG_SAMPLE_RATE: '1', OFFERD_RULES_DIR: live },
    });
    await seedEveryApi(s.url);
    for (const [uid, ip] of WALL_VISITS) {
      const res = await s.fetch(`/api/v1/users/${uid}/personalized?wall=1001&numoffers=5&ip=${ip}`);
      t.is(res.status, 200);
    }
    const draft = await payoutDraft(t);

    const { status, body } = await impact(s, { rules: draft });
    t.is(status, 200, JSON.stringify(body));
    t.is(body.candidate.source, 'rules');
    t.not(body.candidate.hash, body.live.hash);
    t.is(body.replayed + body.skipped, body.decisions);
    // Under the default bound every recorded decision fits: nothing older was left out.
    t.is(body.sample.order, 'most-recent');
    t.is(body.sample.limitPerApi, 2000);
    for (const api of ['banner', 'offerwall', 'journeys']) {
      t.deepEqual(body.sample.byApi[api], { read: body.byApi[api].requests, olderLeftOut: false }, api);
    }
    const wall = body.byApi.offerwall;
    // The seeded earner's visit and ours, each recorded once (sample rate 1), new players included.
    t.is(wall.requests, WALL_VISITS.length + 1);
    t.true(wall.changed > 0 && wall.share > 0, 'reweighting changes the shown offers');
    t.is(wall.share, wall.changed / wall.requests);
    t.true(wall.topOffers.after.averagePayout > wall.topOffers.before.averagePayout, 'payout weighs more');
    t.not(wall.topOffers.after.averageEpc, wall.topOffers.before.averageEpc);
    // The averages move by exactly the offers gained and lost, at their catalog EPC and payout.
    const catalog = await wallCatalog(s);
    for (const [field, key] of [
      ['averageEpc', 'epc'],
      ['averagePayout', 'payout'],
    ] as const) {
      const { before, after } = wall.topOffers;
      const moved = (counts: Record<string, number>) =>
        Object.entries(counts).reduce(
          (sum, [id, n]) => sum + n * (catalog.get(Number(id))?.[key] ?? Number.NaN),
          0,
        );
      const expected = before[field] * before.offersShown + moved(wall.gained) - moved(wall.lost);
      t.true(Math.abs(after[field] * after.offersShown - expected) < 0.01 * after.offersShown, field);
    }
    t.true(wall.gainedOffers.length > 0 && wall.lostOffers.length > 0);
    for (const o of [...wall.gainedOffers, ...wall.lostOffers]) t.not(o.name, '(unnamed)');
    // Named offers carry the counts of the report's id → count map.
    t.deepEqual(
      Object.fromEntries(wall.gainedOffers.map((o: Json) => [o.offerId, o.requests])),
      pick(wall.gained, wall.gainedOffers),
    );
    // Only the offerwall changed: banner and journeys decisions replay as they were served.
    t.is(body.byApi.banner.changed, 0);
    t.true(body.byApi.banner.requests >= 12);
    t.is(body.byApi.journeys.changed, 0);
    t.deepEqual(body.byApi.journeys.offersCreated.before, body.byApi.journeys.offersCreated.after);
    // Recorded with the state the run planned from: replayed, it creates the offers it created then
    // (a snapshot taken after the run would hold them, and every type would be blocked as active).
    t.deepEqual(body.byApi.journeys.offersCreated.before, { welcome_bonus: 1, welcome_free_play: 1 });

    // A bound of 2: the two most recent wall visits (new-de-2, and new-us-3 whose 1.1.1.1 the
    // geo database places in AU: the only AU visit), not the seeded earner's nor the first ones;
    // the answer says older ones were left out.
    const bounded = await impact(s, { rules: draft, api: 'offerwall', limit: 2 });
    t.is(bounded.status, 200, JSON.stringify(bounded.body));
    t.is(bounded.body.decisions, 2);
    t.deepEqual(bounded.body.sample, {
      order: 'most-recent',
      limitPerApi: 2,
      rate: 1,
      byApi: { offerwall: { read: 2, olderLeftOut: true } },
    });
    t.is(bounded.body.byApi.offerwall.requests, 2);
    t.deepEqual(
      Object.fromEntries(
        Object.entries(bounded.body.byApi.offerwall.byCountry).map(([c, v]) => [c, (v as Json).requests]),
      ),
      { DE: 1, AU: 1 },
    );
    const newest = await impact(s, { rules: draft, api: 'offerwall', limit: 1 });
    t.deepEqual(Object.keys(newest.body.byApi.offerwall.byCountry), ['AU'], 'new-us-3 visited last');

    // The pending files are the live ones: nothing changes; once the file on disk is edited, it does.
    const same = await impact(s, { source: 'pending' });
    t.is(same.status, 200);
    t.is(same.body.candidate.hash, same.body.live.hash);
    t.is(same.body.byApi.offerwall.changed, 0);
    await edit(path.join(live, 'demo', 'offerwall.yaml'), 'epc: 0.30', 'epc: 0.00');
    const pending = await impact(s, { source: 'pending', api: 'offerwall' });
    t.is(pending.status, 200);
    t.deepEqual(Object.keys(pending.body.byApi), ['offerwall']);
    t.true(pending.body.byApi.offerwall.changed > 0);

    // The CLI reads the stopped server's decision log and prints the same numbers.
    await s.stop();
    process.env.OFFERD_DATA_DIR = s.config.dataDir;
    process.env.OFFERD_STORE = 'lowdb';
    // The server's environment: the sample rate in force is named in the report.
    process.env.OFFERD_DECISION_LOG_SAMPLE_RATE = '1';
    const json = capture();
    const args = ['diff', '--replay', '--app', 'demo', 'rules', draft];
    t.is(await runCli([...args, '--json'], json.io), 0, json.err.join('\n'));
    const cli = JSON.parse(json.out.join('\n')) as Json;
    t.deepEqual(cli.byApi.offerwall, wall);
    t.deepEqual(cli.sample, body.sample);
    // Would it go live? The CLI runs the candidate's fixtures as a reload would (newcomer probe).
    const failures = cli.fixtures?.failures as string[] | undefined;
    t.true(Array.isArray(failures), JSON.stringify(cli.fixtures));
    const limited = capture();
    t.is(await runCli([...args, '--limit', '2', '--api', 'offerwall', '--json'], limited.io), 0);
    t.deepEqual((JSON.parse(limited.out.join('\n')) as Json).byApi, bounded.body.byApi);
    const text = capture();
    t.is(await runCli(args, text.io), 0, text.err.join('\n'));
    const printed = text.out.join('\n');
    t.log(printed);
    t.is(
      printed.includes(`A reload would refuse this candidate: ${failures?.length} fixture(s) fail`),
      (failures?.length ?? 0) > 0,
    );
    t.true(
      printed.includes(
        `offerwall: ${wall.changed} of ${wall.requests} sampled decisions change (${(wall.share * 100).toFixed(1)}%): offerIds ${wall.changed}`,
      ),
    );
    const { before, after } = wall.topOffers;
    t.regex(
      printed,
      /sample: the most recent 2000 recorded decisions per API: banner \d+, offerwall 6, journeys \d+/,
    );
    t.regex(printed, new RegExp(`average EPC +${before.averageEpc} -> ${after.averageEpc}`));
    t.regex(printed, new RegExp(`average payout +${before.averagePayout} -> ${after.averagePayout}`));
    const top = wall.gainedOffers[0];
    t.true(printed.includes(`${top.name} (#${top.offerId}) in ${top.requests}`));
    t.false(printed.includes('{"'), 'read as text, not JSON');
  },
);

test.serial(
  'a draft that changes banner images: the impact route and offerd diff --replay count the requests whose image changes, name imageFullUrl and the sample rate',
  async (t) => {
    const s = await startTestService(t, { env: { OFFERD_DECISION_LOG_SAMPLE_RATE: '1' } });
    await seedEveryApi(s.url);
    const draft = await copyOfShippedRules(t);
    const file = path.join(draft, 'demo', 'banner.yaml');
    await edit(file, 'banners/default/{prizeKey}', 'banners/default-v2/{prizeKey}');
    await edit(file, 'banners/champion-spotlight/{prizeKey}', 'banners/champion-spotlight-v2/{prizeKey}');

    const { status, body } = await impact(s, { rules: draft, api: 'banner' });
    t.is(status, 200, JSON.stringify(body));
    const banner = body.byApi.banner;
    t.true(banner.requests >= 12);
    // The same banner rules choose, with other images: the player sees every one of them changed.
    t.deepEqual(banner.mixAfter, banner.mixBefore);
    t.true(banner.changed > 0, JSON.stringify(banner));
    t.deepEqual(banner.changedFields, { imageFullUrl: banner.changed });
    t.is(body.sample.rate, 1, 'the sample rate in force');
    t.is(body.replayed, banner.requests);
    // The live rules against themselves: nothing changes, render ids included.
    const same = await impact(s, { source: 'pending', api: 'banner' });
    t.is(same.body.byApi.banner.changed, 0);
    t.deepEqual(same.body.byApi.banner.changedFields, {});

    await s.stop();
    const env = { ...process.env };
    t.teardown(() => {
      process.env = env;
    });
    process.env.OFFERD_DATA_DIR = s.config.dataDir;
    process.env.OFFERD_STORE = 'lowdb';
    // The CLI names the rate configured where it runs, as such (the log was recorded at 100 %, read at 1 %).
    process.env.OFFERD_DECISION_LOG_SAMPLE_RATE = '0.01';
    const text = capture();
    const args = ['diff', '--replay', '--app', 'demo', '--api', 'banner', 'rules', draft];
    t.is(await runCli(args, text.io), 0, text.err.join('\n'));
    const printed = text.out.join('\n');
    t.log(printed);
    t.true(
      printed.includes(
        `banner: ${banner.changed} of ${banner.requests} sampled decisions change (${(banner.share * 100).toFixed(1)}%): imageFullUrl ${banner.changed}`,
      ),
      printed,
    );
    t.true(
      printed.includes(
        `${banner.requests} recorded decisions replayed, a sample of served requests (decisionLog.sampleRate is 1 % here; the log does not keep the rate it was recorded at)`,
      ),
      printed,
    );
  },
);

/** The demo wall's catalog file as served: EPC and payout by offer id. */
async function wallCatalog(s: TestService): Promise<Map<number, { epc: number; payout: number }>> {
  const file = s.config.apps.find((a) => a.id === 'demo')?.walls[0]?.catalog;
  if (!file) throw new Error('the demo wall has no catalog file');
  const page = JSON.parse(await readFile(file, 'utf8')) as {
    offers: { offer_id: number; epc: number; payout: number }[];
  };
  return new Map(page.offers.map((o) => [o.offer_id, o]));
}

/** The counts of the named offers, from the report's id → count map. */
function pick(counts: Record<string, number>, named: Json[]): Record<string, number> {
  return Object.fromEntries(named.map((o) => [o.offerId, counts[o.offerId] ?? -1]));
}

test.serial(
  'impact: 400 naming the field for a bad body, 404 for an unknown app, 422 with file:line for a draft that does not load',
  async (t) => {
    const s = await startTestService(t, { env: { OFFERD_DECISION_LOG_SAMPLE_RATE: '1' } });
    const fieldOf = async (body: unknown) => {
      const r = await impact(s, body);
      t.is(r.status, 400, JSON.stringify(r.body));
      return r.body.error.fields.map((f: Json) => f.field);
    };
    t.deepEqual(await fieldOf({}), ['source']);
    t.deepEqual(await fieldOf({ source: 'pending', rules: '/tmp' }), ['source']);
    t.deepEqual(await fieldOf({ source: 'disk' }), ['source']);
    t.deepEqual(await fieldOf({ rules: 42 }), ['rules']);
    t.deepEqual(await fieldOf({ rules: '/no/such/offerd/dir' }), ['rules']);
    t.deepEqual(
      await fieldOf({ rules: path.resolve('docs') }),
      ['rules'],
      'a directory without the app folder',
    );
    t.deepEqual(await fieldOf({ source: 'pending', api: 'email' }), ['api']);
    t.deepEqual(await fieldOf({ source: 'pending', extra: 1 }), ['extra']);
    const unknownField = await impact(s, { source: 'pending', extra: 1 });
    t.deepEqual(unknownField.body.error.fields, [
      { field: 'extra', message: 'is not a field of this request' },
    ]);
    for (const limit of [0, 10_001, 2.5, '5', null]) {
      t.deepEqual(await fieldOf({ source: 'pending', limit }), ['limit'], JSON.stringify(limit));
    }
    t.is((await impact(s, { source: 'pending' }, 'nope')).status, 404);

    const broken = await copyOfShippedRules(t);
    await edit(path.join(broken, 'demo', 'offerwall.yaml'), 'epc: 0.30', 'epc: lots');
    const r = await impact(s, { rules: broken });
    t.is(r.status, 422);
    t.is(r.body.error.code, 'INVALID_RULES');
    t.regex(r.body.error.fields[0].message, /offerwall\.yaml:\d+:\d+ /);
  },
);

test.serial(
  'other requests are answered while an impact replay runs; skipped decisions say why',
  async (t) => {
    const s = await startTestService(t, { env: { OFFERD_DECISION_LOG_SAMPLE_RATE: '1' } });
    const render = (userId: string) =>
      s.fetch('/getPersonalizedBanner', {
        method: 'POST',
        headers: { Authorization: 'demo-key', 'Content-Type': 'application/json' },
        body: JSON.stringify({ userId, offerId: '8622', countryIso2: 'DE' }),
      });
    for (let i = 0; i < 300; i += 25)
      await Promise.all(
        Array.from({ length: 25 }, (_, j) => render(`replayed-${i + j}`).then((r) => r.text())),
      );
    const order: string[] = [];
    const replay = impact(s, { source: 'pending', api: 'banner', limit: 300 }).then((r) => {
      order.push('impact');
      return r;
    });
    // Sent once the replay is under way: before, it was answered only after the whole replay.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const health = await s.fetch('/healthz');
    order.push('healthz');
    t.is(health.status, 200);
    const { status, body } = await replay;
    t.is(status, 200);
    t.is(body.replayed, 300);
    t.deepEqual(order, ['healthz', 'impact']);
    t.deepEqual(body.skippedBecause, {});
  },
);

test.serial(
  'impact replays a banner decision on the state it was decided on: a first visit stays a first visit, the next visit does not',
  async (t) => {
    const s = await startTestService(t, { env: { OFFERD_DECISION_LOG_SAMPLE_RATE: '1' } });
    const sdk = { Authorization: DEMO_KEY };
    // Two visits of one new player: the first decided for an unknown user, the second for a known one.
    for (let visit = 0; visit < 2; visit++) {
      const served = await post(s, '/getPersonalizedBanner?ip=0', { userId: 'first-timer', ...REQUEST }, sdk);
      t.is(served.status, 200, JSON.stringify(served.body));
    }
    const draft = await copyOfShippedRules(t);
    await edit(
      path.join(draft, 'demo', 'banner.yaml'),
      '    # For players outside every experiment.\n',
      `    - id: first-visit
      when:
        fact: user.known
        operator: equal
        value: false
      image: https://cdn.offerd.example/banners/first-visit/{prizeKey}_{languageIso2}.png

`,
    );
    const { status, body } = await impact(s, { rules: draft, api: 'banner' });
    t.is(status, 200, JSON.stringify(body));
    const banner = body.byApi.banner;
    t.is(banner.requests, 2);
    // Read after the render, the first visit's state already held the visit: 0 of 2 changed.
    t.is(banner.changed, 1, JSON.stringify(banner));
    t.deepEqual(banner.mixAfter, { 'first-visit/:-1': 1, 'default/:-1': 1 });
  },
);

test.serial('impact says whether the fixtures gate would let the candidate go live', async (t) => {
  const s = await startTestService(t, {
    env: { OFFERD_DECISION_LOG_SAMPLE_RATE: '1', OFFERD_FIXTURES_GATE: '1' },
  });
  await seedEveryApi(s.url);
  const passing = await impact(s, { source: 'pending', api: 'banner' });
  t.is(passing.status, 200, JSON.stringify(passing.body));
  t.deepEqual(passing.body.fixtures, { failures: [] });
  // Reweighting the offerwall moves a fixture's expected top offers: refused, and said so.
  const reweighted = await impact(s, { rules: await payoutDraft(t), api: 'offerwall' });
  t.regex(
    reweighted.body.fixtures.failures[0],
    /tests\/offerwall\.yaml:\d+ fixture '.*': offerIds: not equal/,
  );
  // 'lapsed' now needs 1400 days away: the shipped lapsed-player fixture no longer holds.
  const failing = await copyOfShippedRules(t);
  await edit(
    path.join(failing, 'demo', 'banner-segments.yaml'),
    'operator: greaterThanInclusive\n        value: 14\n',
    'operator: greaterThanInclusive\n        value: 1400\n',
  );
  const refused = await impact(s, { rules: failing, api: 'banner' });
  t.is(refused.status, 200, JSON.stringify(refused.body));
  t.true(refused.body.fixtures.failures.length > 0);
  t.regex(refused.body.fixtures.failures[0], /^.*\.yaml:\d+ fixture '.*lapsed/);
  const off = await startTestService(t, { env: { OFFERD_FIXTURES_GATE: '0' } });
  t.is(
    (await impact(off, { rules: failing, api: 'banner' })).body.fixtures,
    undefined,
    'no gate, no verdict',
  );
});
