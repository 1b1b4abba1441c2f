import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import anyTest, { type ExecutionContext, type TestFn } from 'ava';
import pg from 'pg';
import { openDocumentStore, openPostgresStore } from '../../src/apis.js';
import { insertKey } from '../../src/banner/sdk/sdk-events.js';
import { runCli } from '../../src/cli/main.js';
import { copyStore } from '../../src/store/copy-store.js';
import {
  BANNER_COLLECTIONS,
  JOURNEYS_COLLECTIONS,
  OFFERWALL_COLLECTIONS,
  PROFILE_COLLECTIONS,
} from '../../src/store/portable.js';
import { type DemoData, type ProfileData, seedEveryApi, seedProfiles } from '../helpers/demo-data.js';
import { demoCatalog } from '../helpers/offerwall-service.js';
import { usePostgres } from '../helpers/postgres-server.js';
import { copyOfShippedRules } from '../helpers/rules-fixture.js';
import { ADMIN, startTestService, type TestService } from '../helpers/start-test-service.js';
import { tempDir } from '../helpers/temp-dir.js';

const test = anyTest as TestFn;
const server = usePostgres(test);
// In the order of the registrations: the banner API's profiles right after its own collections.
const ALL = [
  ...BANNER_COLLECTIONS,
  ...PROFILE_COLLECTIONS,
  ...OFFERWALL_COLLECTIONS,
  ...JOURNEYS_COLLECTIONS,
];

async function cli(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

/** A lowdb store the demo service filled through every API, plus a synced catalog. */
async function demoLowdb(
  t: ExecutionContext,
): Promise<{ dir: string; demo: DemoData; profiles: ProfileData }> {
  const dir = await tempDir(t, 'offerd-copy-src-');
  const service = await startTestService(t, { env: { OFFERD_DATA_DIR: dir, OFFERD_STORE: 'lowdb' } });
  const demo = await seedEveryApi(service.url);
  const profiles = await seedProfiles(service.url);
  await service.stop();
  const store = await openDocumentStore(dir);
  const offers = demoCatalog().slice(0, 5);
  await store.offerwall.saveCatalog({
    appId: 'demo',
    wallId: 1001,
    syncedAt: new Date().toISOString(),
    offers,
  });
  await store.close();
  return { dir, demo, profiles };
}

// progressOf promises no order.
const byOffer = <T extends { offerId: number }>(list: T[]): T[] =>
  [...list].sort((a, b) => a.offerId - b.offerId);

/** The table rows of the comparison, by collection: [source count, target count, result]. */
function tableOf(out: string[]): Map<string, string[]> {
  const rows = out
    .filter((l) => /^(banner|offerwall|journeys|profiles)\.\w+ /.test(l))
    .map((l) => l.split(/\s+/));
  return new Map(
    rows.map(([name, src, dst, , , result]) => [name ?? '', [src ?? '', dst ?? '', result ?? '']]),
  );
}

test('store copy moves a demo lowdb store into PostgreSQL with every record, and back', async (t) => {
  const { dir, demo, profiles } = await demoLowdb(t);
  const url = await server().freshDatabase('copy');
  const copied = await cli([
    'store',
    'copy',
    '--from',
    'lowdb',
    '--from-dir',
    dir,
    '--to',
    'postgres',
    '--to-url',
    url,
  ]);
  t.is(copied.code, 0, copied.err.join('\n'));
  const table = tableOf(copied.out);
  t.deepEqual([...table.keys()], ALL);
  for (const [name, [src, dst, result]] of table) {
    t.true(Number(src) > 0, `${name} has data from the demo`);
    t.is(dst, src, name);
    t.is(result, 'ok', name);
  }

  // When experiment versions ended: without them a migrated store took conversions into the
  // results of versions that had ended (operator probe: the copy left the table empty).
  const ended = (
    JSON.parse(await readFile(path.join(dir, 'banner-experiment-ends.json'), 'utf8')) as {
      ends: { experimentId: string; bucketVersion: number; endedAt: string }[];
    }
  ).ends.map((e) => `${e.experimentId}:${e.bucketVersion}@${new Date(e.endedAt).toISOString()}`);
  t.true(ended.length > 0, 'the demo ended experiment versions');
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const rows = (await db.query('SELECT experiment_id, bucket_version, ended_at FROM banner_experiment_ends'))
    .rows as {
    experiment_id: string;
    bucket_version: number;
    ended_at: Date;
  }[];
  await db.end();
  t.deepEqual(
    rows.map((r) => `${r.experiment_id}:${r.bucket_version}@${r.ended_at.toISOString()}`).sort(),
    ended.sort(),
  );

  const source = await openDocumentStore(dir);
  const target = await openPostgresStore(url);
  t.teardown(() => Promise.all([source.close(), target.close()]));
  for (const user of demo.bannerUsers) {
    t.deepEqual(await target.banner.assignments('demo', user), await source.banner.assignments('demo', user));
  }
  const assigned = await target.banner.assignments('demo', demo.bannerUsers[0] ?? '');
  t.true(assigned.length > 0, 'the demo user has a variation');
  const progress = await target.offerwall.progressOf('demo', demo.offerwallUid);
  t.deepEqual(
    progress.find((p) => p.offerId === demo.offerwallOfferId),
    (await source.offerwall.progressOf('demo', demo.offerwallUid)).find(
      (p) => p.offerId === demo.offerwallOfferId,
    ),
  );
  t.is(progress.find((p) => p.offerId === demo.offerwallOfferId)?.clicks, 1);
  const P = { appId: 'demo', environment: 'test' as const };
  const offers = await target.journeys.userOffers(P, demo.journeysUser);
  t.deepEqual(offers, await source.journeys.userOffers(P, demo.journeysUser));
  t.is(offers.find((o) => o.id === demo.claimedOfferId)?.status, 'claimed');
  t.deepEqual(
    await target.journeys.userEvents(P, demo.journeysUser),
    await source.journeys.userEvents(P, demo.journeysUser),
  );

  // The SDK profiles: properties (rule facts), group profiles, aliases, insert ids and grants.
  const { distinctId, alias, groupId } = profiles;
  t.deepEqual(await target.profiles.profile('demo', 'user', distinctId), { vip_level: 5, coins: 40 });
  t.deepEqual(await target.profiles.profile('demo', 'group', `company\n${groupId}`), { plan: 'team' });
  t.is(await target.profiles.resolve('demo', alias), distinctId);
  t.is(
    (
      await target.profiles.claimInsertIds(
        'demo',
        // The key /track claimed for the seeded event (its name, user, no time, its $insert_id).
        [insertKey(['i', distinctId, 'AppStart', null, 'seed-insert-1'])],
        new Date(),
      )
    ).size,
    0,
    'still remembered',
  );
  const noMore = { cooldownMs: null, maxPerUser: 1 };
  const grant = (predictId: string | null) =>
    target.profiles.grant('demo', distinctId, 'vip-level-up-bundle', new Date(), noMore, predictId);
  t.is(await grant(null), null);
  // seedProfiles' /feature call had predict_id 'p': its retry still replays the grant.
  t.truthy(await grant('p'), 'the grant kept its predict_id');
  const vipGrant = ['vip-level-up-bundle'];

  // Into a memory store in this process: imported records are indexed and read through the port.
  const memory = await openDocumentStore(null);
  await copyStore(target, memory);
  t.deepEqual(await memory.banner.assignments('demo', demo.bannerUsers[0] ?? ''), assigned);
  t.deepEqual(
    byOffer(await memory.offerwall.progressOf('demo', demo.offerwallUid)),
    byOffer(await source.offerwall.progressOf('demo', demo.offerwallUid)),
  );
  t.is((await memory.offerwall.bansFor('demo', 'cheater')).length, 1);
  t.deepEqual(await memory.journeys.userOffers(P, demo.journeysUser), offers);
  t.true(
    (
      await memory.journeys.appendEvents(
        P,
        [
          {
            id: 'again',
            externalId: demo.journeysUser,
            clientEventId: 'seed-1',
            category: 'GAME_PLAY',
            eventType: 'spin',
            points: 1,
            occurredAt: new Date().toISOString(),
            metadata: {},
          },
        ],
        new Date(),
        () => 'x',
      )
    )[0]?.duplicate,
  );

  t.is(await memory.profiles.resolve('demo', alias), distinctId);
  t.deepEqual(await memory.profiles.profile('demo', 'user', distinctId), { vip_level: 5, coins: 40 });
  t.deepEqual(
    await memory.profiles.grantsFor('demo', distinctId, vipGrant, 'p'),
    await source.profiles.grantsFor('demo', distinctId, vipGrant, 'p'),
  );
  t.is((await memory.profiles.grantsFor('demo', distinctId, vipGrant, 'p')).length, 1);

  // And back into a fresh lowdb directory: the same records again.
  const back = await tempDir(t, 'offerd-copy-back-');
  const returned = await cli([
    'store',
    'copy',
    '--from',
    'postgres',
    '--from-url',
    url,
    '--to',
    'lowdb',
    '--to-dir',
    back,
  ]);
  t.is(returned.code, 0, returned.err.join('\n'));
  t.true([...tableOf(returned.out).values()].every(([, , result]) => result === 'ok'));
});

test('compare exits 1 and names the collection when one record differs; copy refuses a non-empty target', async (t) => {
  const { dir } = await demoLowdb(t);
  const url = await server().freshDatabase('copy');
  const args = ['--from', 'lowdb', '--from-dir', dir, '--to', 'postgres', '--to-url', url];
  t.is((await cli(['store', 'copy', ...args])).code, 0);
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  await db.query(
    `UPDATE banner_assignments SET variation_id = variation_id + 1
     WHERE user_id = (SELECT min(user_id) FROM banner_assignments)`,
  );
  await db.end();
  const compared = await cli(['store', 'compare', ...args]);
  t.is(compared.code, 1);
  const table = tableOf(compared.out);
  t.deepEqual(table.get('banner.assignments')?.[2], 'MISMATCH');
  t.is([...table.values()].filter(([, , r]) => r === 'MISMATCH').length, 1);
  const again = await cli(['store', 'copy', ...args]);
  t.is(again.code, 2);
  t.regex(again.err.join('\n'), /not empty/);
});

test('store copy refuses the memory store and a store copied onto itself', async (t) => {
  t.is((await cli(['store', 'copy', '--from', 'memory', '--to', 'lowdb'])).code, 2);
  const dir = await tempDir(t, 'offerd-copy-same-');
  const lowdbToLowdb = (command: string, from: string, to: string) =>
    cli(['store', command, '--from', 'lowdb', '--from-dir', from, '--to', 'lowdb', '--to-dir', to]);
  const same = await lowdbToLowdb('copy', dir, dir);
  t.is(same.code, 2);
  t.regex(same.err.join('\n'), /same store/);
  // compare only reads: a target dir that is not there is a mistyped path, not an empty store.
  const missing = path.join(dir, 'nonexistent');
  const compared = await lowdbToLowdb('compare', dir, missing);
  t.is(compared.code, 2);
  t.regex(compared.err.join('\n'), /no data directory .*nonexistent/);
  t.false(existsSync(missing), 'nothing was created');
});

test('store copy keeps the revenue sums of assignments and the values of recent events', async (t) => {
  const dir = await tempDir(t, 'offerd-copy-revenue-');
  const source = await openDocumentStore(dir);
  const at = '2026-11-21T09:00:00.000Z';
  for (const [userId, variationId] of [
    ['rev-a', 0],
    ['rev-b', 1],
  ] as const) {
    await source.banner.assign('demo', {
      experimentId: 'rev',
      bucketVersion: 1,
      userId,
      variationId,
      assignedAt: at,
    });
  }
  const purchase = (userId: string, value: number | null) => ({
    userId,
    name: 'Purchase',
    time: null,
    receivedAt: '2026-11-21T09:05:00.000Z',
    renderId: null,
    experimentId: null,
    variationId: null,
    value,
  });
  await source.banner.track('demo', [
    purchase('rev-a', 2.5),
    purchase('rev-a', 1),
    purchase('rev-b', 0.75),
    purchase('rev-b', null),
  ]);
  const target = await openPostgresStore(await server().freshDatabase('copy_revenue'));
  const memory = await openDocumentStore(null);
  t.teardown(() => Promise.all([source.close(), target.close(), memory.close()]));
  await copyStore(source, target);
  await copyStore(target, memory);
  const expected = await source.banner.tallies('demo', 'rev', 1, 'Purchase');
  t.deepEqual(
    expected.map((v) => v.revenue),
    [
      { sum: 3.5, sumSquares: 12.25 },
      { sum: 0.75, sumSquares: 0.5625 },
    ],
  );
  t.deepEqual(await target.banner.tallies('demo', 'rev', 1, 'Purchase'), expected);
  t.deepEqual(await memory.banner.tallies('demo', 'rev', 1, 'Purchase'), expected);
  t.deepEqual(
    (await memory.banner.recentEvents('demo', 'rev-b')).map((e) => e.value),
    [0.75, null],
  );
});

test('a profile still holding the insert key of a retry window copies and compares equal (lowdb to lowdb)', async (t) => {
  const from = await tempDir(t, 'offerd-copy-keys-');
  const to = await tempDir(t, 'offerd-copy-keys-to-');
  const store = await openDocumentStore(from);
  // A Unity /engage update with a queue id: the key stays on the record until its claim is settled.
  await store.profiles.update('demo', [
    {
      kind: 'user',
      id: 'k-1',
      operations: [{ op: '$set', values: { coins: 5 } }],
      retryKey: 'k-1:Kibotu.People0:ab12',
    },
  ]);
  await store.close();
  const args = ['--from', 'lowdb', '--from-dir', from, '--to', 'lowdb', '--to-dir', to];
  t.is((await cli(['store', 'copy', ...args])).code, 0);
  const compared = await cli(['store', 'compare', ...args]);
  t.is(compared.code, 0, compared.out.join('\n'));
  t.is(tableOf(compared.out).get('profiles.profiles')?.[2], 'ok');
});

// Operator check: a target a service had started on (and only read from) was refused as "not
// empty (banner.experimentEnds)", with nothing saying what wrote it or what to do.
test('store copy onto a store a service has started on says so and what to do instead', async (t) => {
  const target = await tempDir(t, 'offerd-copy-started-');
  const s = await startTestService(t, { env: { OFFERD_DATA_DIR: target } });
  await s.stop();
  const source = await tempDir(t, 'offerd-copy-source-');
  await (await openDocumentStore(source)).close();
  const refused = await cli([
    'store',
    'copy',
    '--from',
    'lowdb',
    '--from-dir',
    source,
    '--to',
    'lowdb',
    '--to-dir',
    target,
  ]);
  t.is(refused.code, 2);
  t.regex(
    refused.err.join('\n'),
    /not empty \(banner\.experimentEnds\): only the experiment ends a service records when it starts .* copy into a store no service has started on/,
  );
});

// Newcomer probe: a store moved to PostgreSQL during a rollback served the files the rollback
// had pinned away, unpinned, and the earlier hash could no longer be rolled back to.
test('store copy carries the kept snapshots and the rollback in force: the new store serves the rollback, pinned', async (t) => {
  const rulesDir = await copyOfShippedRules(t);
  const dir = await tempDir(t, 'offerd-copy-pin-');
  const env = { OFFERD_DATA_DIR: dir, OFFERD_STORE: 'lowdb', OFFERD_RULES_DIR: rulesDir };
  const first = await startTestService(t, { env });
  const status = async (s: TestService) =>
    ((await (await s.fetch('/admin/rules', { headers: ADMIN })).json()) as { apps: AppStatus[] }).apps[0];
  const original = (await status(first))?.active.hash ?? '';
  const file = path.join(rulesDir, 'demo', 'banner.yaml');
  await writeFile(file, (await readFile(file, 'utf8')).replace(/^version: \d+$/m, 'version: 61'));
  t.is((await first.fetch('/admin/rules/reload?app=demo', { method: 'POST', headers: ADMIN })).status, 200);
  const rolledBack = await first.fetch('/admin/rules/demo/rollback', {
    method: 'POST',
    headers: { ...ADMIN, 'Content-Type': 'application/json' },
    body: JSON.stringify({ hash: original }),
  });
  t.is(rolledBack.status, 200);
  await first.stop();

  const url = await server().freshDatabase('copy_pin');
  const copied = await cli([
    'store',
    'copy',
    '--from',
    'lowdb',
    '--from-dir',
    dir,
    '--to',
    'postgres',
    '--to-url',
    url,
  ]);
  t.is(copied.code, 0, copied.err.join('\n'));
  t.true(
    copied.out.some((l) =>
      /^copied rules of demo: 2 kept snapshot\(s\), the rollback in force to [0-9a-f]{12}$/.test(l),
    ),
    copied.out.join('\n'),
  );
  const moved = await startTestService(t, {
    env: { OFFERD_STORE: 'postgres', DATABASE_URL: url, OFFERD_RULES_DIR: rulesDir },
  });
  const demo = await status(moved);
  t.is(demo?.active.hash, original, 'the rollback still serves');
  t.is(demo?.pinned?.hash, original);
  t.deepEqual(new Set(demo?.kept?.map((k) => k.hash)).size, 2, 'both snapshots can be rolled back to');
});

interface AppStatus {
  active: { hash: string };
  pinned: { hash: string } | null;
  kept?: { hash: string }[];
}
