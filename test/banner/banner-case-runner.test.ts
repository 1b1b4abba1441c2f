import test from 'ava';
import { createAppLoader, createCaseRunners } from '../../src/apis.js';
import { BannerCaseRunner } from '../../src/banner/banner-case-runner.js';
import { appConfigFor } from '../../src/cli/app-config-for.js';
import { loadFixtures } from '../../src/fixtures/fixture-file.js';
import { runFixtures } from '../../src/fixtures/run-fixtures.js';
import { readAppFiles } from '../../src/rules/app-loader.js';
import type { AppRules } from '../../src/rules/app-rules.js';

async function demoRules(): Promise<AppRules> {
  const result = createAppLoader().load(await readAppFiles('rules', 'demo'));
  if (!result.ok) throw new Error('demo rules do not load');
  return result.rules;
}

const runner = new BannerCaseRunner();
const app = appConfigFor('demo');
const now = new Date('2026-11-20T12:00:00Z');

test('every shipped banner fixture passes, and they reach every reason and verdict', async (t) => {
  const rules = await demoRules();
  const { cases, problems } = await loadFixtures('rules', 'demo');
  t.deepEqual(problems, []);
  const banner = cases.filter((c) => c.api === 'banner');
  t.true(banner.length >= 20);
  const results = await runFixtures(rules, app, banner, createCaseRunners());
  for (const r of results) t.true(r.passed, `${r.name}: ${r.error ?? JSON.stringify(r.failures)}`);

  const outcomes = await Promise.all(
    banner.map((c) =>
      runner.run(rules, app, {
        now: c.now ? new Date(c.now) : now,
        request: c.request,
        state: c.state ?? {},
      }),
    ),
  );
  const seen = (key: string) => new Set(outcomes.map((o) => JSON.stringify(o.actual[key])));
  for (const reason of ['MATCH', 'CONTROL', 'NO_MATCH', 'DEFAULT'])
    t.true(seen('reason').has(`"${reason}"`), reason);
  const bannerIds = ['payer-hero-dach', 'payer-hero', 'payer-badge', 'starter-pack', 'champion-spotlight'];
  for (const id of [...bannerIds, 'winter-snow', 'welcome-back', 'vip-chest', 'default']) {
    t.true(seen('bannerId').has(`"${id}"`), `no fixture reaches banner ${id}`);
  }
  const verdicts = new Set(
    outcomes.flatMap((o) => Object.values((o.actual.verdicts ?? {}) as Record<string, string>)),
  );
  for (const v of [
    'stopped',
    'occasion-mismatch',
    'not-eligible',
    'stored',
    'slot-taken',
    'paused',
    'not-admitted',
    'admitted',
  ]) {
    t.true(verdicts.has(v), `no fixture reaches verdict ${v}`);
  }
});

test('a case runs deterministically, with fixed render ids, and explains itself', async (t) => {
  const rules = await demoRules();
  const input = { now, request: { userId: 'player-1', offerId: '1', activeChamp: 'ahri' }, state: {} };
  const first = await runner.run(rules, app, input);
  t.deepEqual(await runner.run(rules, app, input), first);
  t.like(first.actual, { renderId: 'render-1', experimentId: 'champion-spotlight', assignment: 'new' });
  const why = first.explanation as {
    experiments: { experimentId: string; outcome: string; eligibility: unknown }[];
  };
  t.like(
    why.experiments.find((e) => e.experimentId === 'payer-upsell'),
    { outcome: 'not-eligible' },
  );
  t.like(
    why.experiments.find((e) => e.experimentId === 'autumn-colors'),
    {
      eligibility: 'everyone (no eligibility conditions)',
    },
  );
});

test('a wrong expectation fails, and unknown state keys are an error', async (t) => {
  const rules = await demoRules();
  const [result] = await runFixtures(
    rules,
    app,
    [
      {
        name: 'wrong on purpose',
        api: 'banner',
        file: 'x.yaml',
        line: 1,
        expectAt: {},
        request: { userId: 'player-11', offerId: '1', activeChamp: 'ahri' },
        expect: { variationId: 1 },
      },
    ],
    createCaseRunners(),
  );
  t.false(result?.passed);
  t.is(result?.failures[0]?.actual, 0);
  await t.throwsAsync(
    runner.run(rules, app, { now, request: { userId: 'u', offerId: '1' }, state: { purchases: 3 } }),
    {
      message: /unknown banner state keys: purchases/,
    },
  );
});

test('a case sets the user’s profile properties (state.properties): rules read them as user.properties', async (t) => {
  const rules = await demoRules();
  const request = { userId: 'player-vip', offerId: '1' };
  const facts = async (state: Record<string, unknown>) =>
    ((await runner.run(rules, app, { now, request, state })).explanation as { facts: { user: unknown } })
      .facts.user as { properties: unknown };
  t.deepEqual((await facts({ properties: { vip_level: 4, club: 'gold' } })).properties, {
    vip_level: 4,
    club: 'gold',
  });
  t.deepEqual((await facts({})).properties, {});
  const refused = await runner
    .run(rules, app, { now, request, state: { properties: 'gold' } })
    .catch((err: Error) => err.message);
  t.regex(String(refused), /properties/);
});
