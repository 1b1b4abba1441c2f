import test, { type ExecutionContext } from 'ava';
import { createAppLoader, openDocumentStore } from '../../src/apis.js';
import { type Environment, isLive } from '../../src/journeys/domain/journey-types.js';
import { runJourneysGeneration } from '../../src/journeys/journeys-generation.js';
import type { JourneysStore } from '../../src/journeys/store/journeys-store.js';
import { readAppFiles } from '../../src/rules/app-loader.js';
import {
  type JourneysTestService,
  plays,
  startJourneysService,
  TestClock,
} from '../helpers/journeys-service.js';
import { copyOfShippedRules, writeRuleFile } from '../helpers/rules-fixture.js';
import { tempDir } from '../helpers/temp-dir.js';

const HOUR = 3_600_000;

/** Four more offer types every user matches, with short expiries and no cooldown: pressure on the limits. */
const EXTRA_OFFERS = [
  ['extra_a', '1h'],
  ['extra_b', '2h'],
  ['extra_c', '3h'],
  ['extra_d', '5h'],
]
  .map(([type, expiresIn]) =>
    [
      `    - offerType: ${type}`,
      '      priority: 50',
      '      conditions: { fact: profile.totalEvents, operator: greaterThanInclusive, value: 0 }',
      '      title: Extra',
      '      description: Extra offer',
      '      pointsValue: 5',
      `      expiresIn: ${expiresIn}`,
    ].join('\n'),
  )
  .join('\n');

async function pressured(t: ExecutionContext, store: 'memory' | 'lowdb'): Promise<JourneysTestService> {
  const rulesDir = await copyOfShippedRules(t);
  const text = `apiVersion: offerd/v1\nkind: Journeys\nversion: 1\nspec:\n  offers:\n${EXTRA_OFFERS}\n`;
  await writeRuleFile(rulesDir, 'demo', 'journeys-extra.yaml', text);
  return startJourneysService(t, { rulesDir, store });
}

const USERS = Array.from({ length: 12 }, (_, i) => `p${i}`);

async function assertLimits(
  t: ExecutionContext,
  s: JourneysTestService,
  when: string,
  users: readonly string[] = USERS,
): Promise<void> {
  for (const u of users) {
    const offers = (await s.api('GET', `/users/${u}/offers`)).body.data.offers as { offerType: string }[];
    t.true(offers.length <= 3, `${when}: ${u} has ${offers.length} active offers`);
    t.is(new Set(offers.map((o) => o.offerType)).size, offers.length, `${when}: ${u} has a duplicate type`);
  }
}

for (const store of ['memory', 'lowdb'] as const) {
  test(`never more than 3 active offers nor two of one type, over many runs (${store})`, async (t) => {
    const s = await pressured(t, store);
    await s.api('POST', '/track', { body: USERS.flatMap((u) => plays(u, 2, s.clock)) });
    let created = 0;
    for (let run = 0; run < 10; run++) {
      const report = await s.generate('test');
      t.is(report.status, 200);
      created += report.body.totals.offersCreated;
      await assertLimits(t, s, `run ${run}`);
      s.clock.advance(HOUR);
    }
    t.true(created > USERS.length * 3, 'expiries made room for new offers along the way');
  });

  test(`overlapping runs break no limit (${store})`, async (t) => {
    const s = await pressured(t, store);
    const many = Array.from({ length: 450 }, (_, i) => `o${i}`);
    for (let i = 0; i < many.length; i += 50) {
      await s.api('POST', '/track', { body: many.slice(i, i + 50).flatMap((u) => plays(u, 2, s.clock)) });
    }
    for (let round = 0; round < 3; round++) {
      const reports = await Promise.all([s.generate(), s.generate('test'), s.generate()]);
      t.true(reports.every((r) => r.status === 200));
      await assertLimits(t, s, `round ${round}`, many);
      s.clock.advance(2 * HOUR);
    }
  });
}

/**
 * Three runs that each planned from the same state before any of them wrote: the store's
 * atomic check is all that stands between them and a broken limit. Through the service
 * (above) the runs overlap only as far as the host's timing lets them; here each round's
 * first three writes are held until all three have arrived, so they always do.
 */
for (const store of ['memory', 'lowdb'] as const) {
  test(`runs that all planned before any wrote break no limit (${store})`, async (t) => {
    const rulesDir = await copyOfShippedRules(t);
    const text = `apiVersion: offerd/v1\nkind: Journeys\nversion: 1\nspec:\n  offers:\n${EXTRA_OFFERS}\n`;
    await writeRuleFile(rulesDir, 'demo', 'journeys-extra.yaml', text);
    const loaded = createAppLoader().load(await readAppFiles(rulesDir, 'demo'));
    if (!loaded.ok) throw new Error('the rules do not load');
    const opened = await openDocumentStore(store === 'lowdb' ? await tempDir(t, 'offerd-overlap-') : null);
    t.teardown(() => opened.close());
    const clock = new TestClock();
    const many = Array.from({ length: 450 }, (_, i) => `o${i}`);
    let id = 0;
    const newId = () => `id-${++id}`;
    const events = many.flatMap((u) =>
      plays(u, 2, clock).map((e) => ({ ...e, id: newId(), clientEventId: null, metadata: {} })),
    );
    await opened.journeys.appendEvents(TEST, events, clock.now(), newId);
    const held = heldWrites(opened.journeys, 3);
    for (let round = 0; round < 3; round++) {
      held.reset();
      const run = (environments?: Environment[]) =>
        runJourneysGeneration(
          { store: held.store, now: clock.now },
          { rules: loaded.rules, ...(environments ? { environments } : {}) },
        );
      const reports = await Promise.all([run(), run(['test']), run()]);
      t.is(held.calls(), 3, 'one write per run, all three held until the last had planned');
      const rejected = reports.reduce(
        (n, r) => n + r.environments.reduce((m, e) => m + sum(e.offersRejected), 0),
        0,
      );
      const created = reports.reduce((n, r) => n + r.totals.offersCreated, 0);
      // Same state, same plan: of what the three runs planned, the store kept one run's share.
      t.true(rejected >= 2 * created, `round ${round}: ${created} created, ${rejected} refused`);
      if (round === 0) t.true(created > 0);
      for (const u of many) {
        const live = (await opened.journeys.userOffers(TEST, u)).filter((o) => isLive(o, clock.now()));
        t.true(live.length <= 3, `round ${round}: ${u} has ${live.length} active offers`);
        t.is(
          new Set(live.map((o) => o.offerType)).size,
          live.length,
          `round ${round}: ${u} has a duplicate type`,
        );
      }
      clock.advance(2 * HOUR);
    }
  });
}

const TEST = { appId: 'demo', environment: 'test' as const };
const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

/** `inner` with one write per run, and each round's first `n` writes held until all `n` arrived. */
function heldWrites(inner: JourneysStore, n: number) {
  let arrived = 0;
  let release = () => {};
  let all = new Promise<void>((resolve) => {
    release = resolve;
  });
  const store: JourneysStore = Object.create(inner);
  Object.defineProperty(store, 'offersPerCreate', { value: Number.POSITIVE_INFINITY });
  store.createOffers = async (...args) => {
    if (++arrived <= n) {
      if (arrived === n) release();
      await all;
    }
    return inner.createOffers(...args);
  };
  return {
    store,
    calls: () => arrived,
    reset() {
      arrived = 0;
      all = new Promise<void>((resolve) => {
        release = resolve;
      });
    },
  };
}
