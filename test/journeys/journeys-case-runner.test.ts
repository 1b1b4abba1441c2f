import test from 'ava';
import { createAppLoader } from '../../src/apis.js';
import { appConfigFor } from '../../src/cli/app-config-for.js';
import { loadFixtures } from '../../src/fixtures/fixture-file.js';
import { runFixtures } from '../../src/fixtures/run-fixtures.js';
import { JourneysCaseRunner } from '../../src/journeys/journeys-case-runner.js';
import { readAppFiles } from '../../src/rules/app-loader.js';
import type { AppRules } from '../../src/rules/app-rules.js';

async function demoRules(): Promise<AppRules> {
  const loaded = createAppLoader().load(await readAppFiles('rules', 'demo'));
  if (!loaded.ok) throw new Error('demo rules do not load');
  return loaded.rules;
}

const runners = new Map([['journeys' as const, new JourneysCaseRunner()]]);
const NOW = new Date('2026-11-20T12:00:00Z');

test('every journeys fixture of the demo app passes, and they cover every stage, tier and offer type', async (t) => {
  const rules = await demoRules();
  const { cases, problems } = await loadFixtures('rules', 'demo');
  t.deepEqual(problems, []);
  const journeys = cases.filter((c) => c.api === 'journeys');
  const results = await runFixtures(rules, appConfigFor('demo'), journeys, runners);
  t.deepEqual(
    results.filter((r) => !r.passed).map((r) => `${r.name}: ${r.error ?? JSON.stringify(r.failures)}`),
    [],
  );
  const runner = new JourneysCaseRunner();
  const seen = { stages: new Set<unknown>(), tiers: new Set<unknown>(), offers: new Set<unknown>() };
  for (const c of journeys) {
    const { actual } = await runner.run(rules, appConfigFor('demo'), {
      now: new Date(c.now ?? NOW),
      request: c.request,
      state: c.state ?? {},
    });
    seen.stages.add(actual.lifecycleStage);
    seen.tiers.add(actual.engagementTier);
    for (const o of actual.offers as string[]) seen.offers.add(o);
  }
  t.deepEqual([...seen.stages].sort(), ['active', 'at_risk', 'churned', 'engaged', 'new', 'power_user']);
  t.deepEqual([...seen.tiers].sort(), ['casual', 'power_user', 'regular', 'whale']);
  t.deepEqual([...seen.offers].sort(), rules.journeys?.triggers.map((tr) => tr.offerType).sort());
});

test('a wrong expectation fails, naming the key', async (t) => {
  const rules = await demoRules();
  const [result] = await runFixtures(
    rules,
    appConfigFor('demo'),
    [
      {
        name: 'wrong on purpose',
        api: 'journeys',
        now: NOW.toISOString(),
        request: { externalId: 'x' },
        state: { events: [{ at: '-1h', count: 2 }] },
        expect: { lifecycleStage: 'churned', offers: [] },
        file: 'inline',
        line: 1,
        expectAt: {},
      },
    ],
    runners,
  );
  t.false(result?.passed);
  t.deepEqual(
    result?.failures.map((f) => [f.key, f.actual]),
    [
      ['lifecycleStage', 'new'],
      ['offers', ['welcome_free_play', 'welcome_bonus']],
    ],
  );
});

test('the same case gives the same outcome every time, and explains itself', async (t) => {
  const rules = await demoRules();
  const input = {
    now: NOW,
    request: { externalId: 'gap' },
    state: { events: [{ at: '-10d', category: 'GAME_PLAY', count: 3 }] },
  };
  const runner = new JourneysCaseRunner();
  const first = await runner.run(rules, appConfigFor('demo'), input);
  const second = await runner.run(rules, appConfigFor('demo'), input);
  t.deepEqual(first, second);
  const why = first.explanation as {
    lifecycle: { stage: string; byDefault: boolean; rules: { stage: string; matched: boolean }[] };
    churnRisk: { factors: { factor: string; matched: boolean }[] };
    score: { component: string }[];
  };
  t.is(why.lifecycle.stage, 'active', 'the docs’ 7–14-day gap is active, not yet at risk');
  t.false(why.lifecycle.byDefault);
  t.deepEqual(
    why.lifecycle.rules.filter((r) => r.matched).map((r) => r.stage),
    ['active'],
  );
  t.deepEqual(
    why.churnRisk.factors.filter((f) => f.matched).map((f) => f.factor),
    ['away-7d', 'no-plays-7d', 'low-engagement'],
  );
  t.deepEqual(
    why.score.map((p) => p.component),
    ['recency', 'frequency', 'monetary', 'breadth'],
  );
});
