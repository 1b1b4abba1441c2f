import test from 'ava';
import { createAppLoader, openDocumentStore } from '../../src/apis.js';
import { CatalogIndex } from '../../src/offerwall/domain/catalog-index.js';
import type { Targeting } from '../../src/offerwall/domain/eligibility.js';
import { OfferwallService, type WallInfo } from '../../src/offerwall/offerwall-service.js';
import type { OfferwallRules } from '../../src/offerwall/rules/offerwall-kind.js';
import { readAppFiles } from '../../src/rules/app-loader.js';
import type { AppRules } from '../../src/rules/app-rules.js';
import { demoCatalog } from '../helpers/offerwall-service.js';

const offers = demoCatalog();
const wall: WallInfo = {
  appId: 'demo',
  wallId: 1001,
  publisherId: 1,
  secrets: { clickSecret: 'c'.repeat(16), postbackSecret: 'p'.repeat(16) },
};
const targeting: Targeting = { country: 'DE', device: null, osVersion: null, bidFloor: null };

async function demoRules(): Promise<AppRules> {
  const loaded = createAppLoader().load(await readAppFiles('rules', 'demo'));
  if (!loaded.ok) throw new Error('demo rules do not load');
  return loaded.rules;
}

test('the segments and the rules are evaluated once per request, however many offers', async (t) => {
  const rules = await demoRules();
  const ow = rules.offerwall as OfferwallRules;
  const calls = { segments: 0, rules: 0 };
  // Serving reads matched ids and data; explaining calls evaluate: count every way in.
  const counting: OfferwallRules = {
    ...ow,
    segments: {
      evaluate: (f) => {
        calls.segments++;
        return ow.segments.evaluate(f);
      },
      matchedIds: (f) => {
        calls.segments++;
        return ow.segments.matchedIds(f);
      },
    } as OfferwallRules['segments'],
    rules: Object.assign(Object.create(Object.getPrototypeOf(ow.rules)), ow.rules, {
      evaluate: (f: Record<string, unknown>) => {
        calls.rules++;
        return ow.rules.evaluate(f);
      },
      matchedData: (f: Record<string, unknown>) => {
        calls.rules++;
        return ow.rules.matchedData(f);
      },
    }),
  };
  const store = (await openDocumentStore(null)).offerwall;
  const service = new OfferwallService({
    store,
    catalogs: {
      current: () => ({
        wallId: 1001,
        source: 'file',
        syncedAt: null,
        offers,
        byId: new Map(),
        index: new CatalogIndex(offers),
        retired: new Map(),
      }),
    },
    ipInRange: () => false,
    now: () => new Date('2026-11-20T12:00:00Z'),
    newId: () => 'id',
  });
  const outcome = await service.personalized(
    {
      ...targeting,
      wall,
      uid: 'u',
      ip: '5.9.0.1',
      callerIp: null,
      limit: 500,
      sid3: null,
      experimentId: null,
    },
    { ...rules, offerwall: counting },
  );
  t.is(outcome.reason, 'RANKED');
  t.true(offers.length >= 200);
  t.deepEqual(calls, { segments: 1, rules: 1 });
});

test('many concurrent requests each get their own, consistent answer', async (t) => {
  const rules = await demoRules();
  const store = (await openDocumentStore(null)).offerwall;
  const service = new OfferwallService({
    store,
    catalogs: {
      current: () => ({
        wallId: 1001,
        source: 'file',
        syncedAt: null,
        offers,
        byId: new Map(),
        index: new CatalogIndex(offers),
        retired: new Map(),
      }),
    },
    ipInRange: () => false,
    now: () => new Date('2026-11-20T12:00:00Z'),
    newId: () => 'id',
  });
  const ask = (country: string) =>
    service.personalized(
      {
        ...targeting,
        country,
        wall,
        uid: `u-${country}`,
        ip: null,
        callerIp: null,
        limit: 20,
        sid3: null,
        experimentId: null,
      },
      rules,
    );
  const ids = async (country: string) => {
    const o = await ask(country);
    return 'ranking' in o ? o.ranking.offers.map((r) => r.offer.offer_id) : [];
  };
  const expected = { DE: await ids('DE'), US: await ids('US') };
  t.notDeepEqual(expected.DE, expected.US);
  const countries = Array.from({ length: 100 }, (_, i) => (i % 2 ? 'DE' : 'US'));
  const answers = await Promise.all(countries.map((c) => ids(c)));
  answers.forEach((a, i) => {
    t.deepEqual(a, expected[countries[i] as 'DE' | 'US']);
  });
});

test('serving ranks exactly as explaining does; only explaining keeps every outcome and drop', async (t) => {
  const rules = await demoRules();
  const store = (await openDocumentStore(null)).offerwall;
  const serviceFor = (explain: boolean) =>
    new OfferwallService({
      store,
      catalogs: {
        current: () => ({
          wallId: 1001,
          source: 'file',
          syncedAt: null,
          offers,
          byId: new Map(),
          index: new CatalogIndex(offers),
          retired: new Map(),
        }),
      },
      ipInRange: () => false,
      now: () => new Date('2026-11-20T12:00:00Z'),
      newId: () => 'id',
      explain,
    });
  const serving = serviceFor(false);
  const explaining = serviceFor(true);
  let matchedRules = 0;
  for (const country of ['DE', 'US', 'FR', null]) {
    for (const device of ['android', 'ios', 'desktop', null] as const) {
      // Twice: the second answer comes from the decision cache and the ranking plan.
      for (let round = 0; round < 2; round++) {
        const req = {
          country,
          device,
          osVersion: null,
          bidFloor: null,
          wall,
          uid: 'u',
          ip: null,
          callerIp: null,
        };
        const ask = (s: OfferwallService) =>
          s.personalized({ ...req, limit: 30, sid3: null, experimentId: null }, rules);
        const served = await ask(serving);
        const explained = await ask(explaining);
        if (!('ranking' in served) || !('ranking' in explained)) return t.fail('no ranking');
        t.deepEqual(served.ranking.offers, explained.ranking.offers);
        t.is(served.ranking.total, explained.ranking.total);
        t.deepEqual(served.segments.ids, explained.segments.ids);
        t.deepEqual(served.facts, explained.facts);
        t.deepEqual(served.rules, []);
        t.deepEqual(served.ranking.dropped, []);
        t.is(explained.segments.outcomes.length, (rules.offerwall as OfferwallRules).segmentIds.length);
        t.true(explained.ranking.dropped.length > 0);
        matchedRules += explained.rules.filter((o) => o.matched).length;
      }
    }
  }
  t.true(matchedRules > 0);
});
