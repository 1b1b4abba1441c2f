import test from 'ava';
import { createAppLoader } from '../../src/apis.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { CatalogOffer } from '../../src/offerwall/domain/offer.js';
import { OfferwallCaseRunner } from '../../src/offerwall/offerwall-case-runner.js';
import { readAppFiles } from '../../src/rules/app-loader.js';
import type { AppRules } from '../../src/rules/app-rules.js';
import {
  DEMO_CONFIG,
  demoCatalog,
  type PersonalizedJson,
  startOfferwall,
} from '../helpers/offerwall-service.js';

const app = loadConfig({ OFFERD_CONFIG: DEMO_CONFIG }).apps.find((a) => a.id === 'demo');
const runner = new OfferwallCaseRunner();
let rules: AppRules;

test.before(async () => {
  const loaded = createAppLoader().load(await readAppFiles('rules', 'demo'));
  if (!loaded.ok) throw new Error('demo rules do not load');
  rules = loaded.rules;
});

const run = (request: Record<string, unknown>, state: Record<string, unknown> = {}, now = new Date()) => {
  if (!app) throw new Error('no demo app');
  return runner.run(rules, app, { now, request, state });
};

test('the runner ranks exactly like the server', async (t) => {
  const h = await startOfferwall(t);
  const query = 'wall=1001&numoffers=25&ip=5.9.0.1&device=android';
  const http = (await h.json<PersonalizedJson>(`/api/v1/users/same/personalized?${query}`)).body;
  const { actual } = await run({ uid: 'same', wall: 1001, numoffers: 25, ip: '5.9.0.1', device: 'android' });
  t.deepEqual(
    actual.offerIds,
    http.offers.map((o) => o.offer_id),
  );
  t.is(actual.total, http.total);
});

test('the explanation says why: segment traces with fact values, rules, scores and why not', async (t) => {
  const { actual, explanation } = await run(
    { uid: 'x', wall: 1001, numoffers: 3, ip: '5.9.0.1' },
    {},
    new Date('2026-11-20T12:00:00Z'),
  );
  t.like(actual, { status: 200, reason: 'RANKED', country: 'DE', limit: 3 });
  const why = explanation as {
    segments: { id: string; matched: boolean; trace: { factValue?: unknown } }[];
    rules: { id: string; matched: boolean }[];
    ranked: { offerId: number; score: number; metric: number; features: Record<string, number> }[];
    whyNot: { offerId: number; reason: string; ruleId?: string }[];
  };
  t.like(
    why.segments.find((s) => s.id === 'dach'),
    { matched: true },
  );
  t.true(JSON.stringify(why.segments).includes('"factValue":"DE"'));
  t.true(why.rules.some((r) => r.id === 'no-gambling-in-dach' && r.matched));
  t.is(why.ranked.length, 3);
  t.is(typeof why.ranked[0]?.features.epc, 'number');
  t.true(why.whyNot.some((d) => d.reason === 'rule_exclude' && d.ruleId === 'no-gambling-in-dach'));
  t.true(why.whyNot.some((d) => d.reason === 'country'));
});

test('state.catalog replaces the wall catalog for a case, and is validated', async (t) => {
  const [first] = demoCatalog();
  const offers: CatalogOffer[] = [
    { ...(first as CatalogOffer), offer_id: 1, offer_type: 6, countries: [] },
    { ...(first as CatalogOffer), offer_id: 2, offer_type: 6, countries: [], epc: 9 },
  ];
  const { actual } = await run({ uid: 'c', wall: 1001, numoffers: 5, ip: '8.8.8.8' }, { catalog: offers });
  t.deepEqual(actual.offerIds, [2, 1]);
  await t.throwsAsync(run({ uid: 'c', wall: 1001, numoffers: 5 }, { catalog: [{ offer_id: 'x' }] }), {
    message: /state\.catalog/,
  });
});

test('validation errors come back as the API would answer them', async (t) => {
  const { actual } = await run({ uid: 'v', wall: 1001, numoffers: 501 });
  t.like(actual, { status: 400, error: 'INVALID_PARAMETER', reason: 'INVALID_PARAMETER' });
});
