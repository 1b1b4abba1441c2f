import test from 'ava';
import { createAppLoader } from '../../src/apis.js';
import { readAppFiles } from '../../src/rules/app-loader.js';
import { formatProblem } from '../../src/rules/problems.js';
import { writeRuleFile } from '../helpers/rules-fixture.js';
import { tempDir } from '../helpers/temp-dir.js';

const loader = createAppLoader();

async function load(t: Parameters<typeof tempDir>[0], files: Record<string, string>) {
  const dir = await tempDir(t);
  for (const [name, text] of Object.entries(files)) await writeRuleFile(dir, 'app', name, text);
  return loader.load(await readAppFiles(dir, 'app'));
}

const segments = `apiVersion: offerd/v1
kind: Segments
version: 1
spec:
  segments:
    - { id: de, conditions: { fact: request.countryIso2, operator: equal, value: DE } }
    - { id: unused, conditions: { fact: user.clicks, operator: greaterThan, value: 100 } }
`;

const weights = '{ epc: 1, conversionRate: 0, userReward: 0, payout: 0, freshness: 0, affinity: 0 }';

test('an Offerwall file compiles: only the segments its rules use, one rule set', async (t) => {
  const result = await load(t, {
    'segments.yaml': segments,
    'offerwall.yaml': `apiVersion: offerd/v1
kind: Offerwall
version: 3
spec:
  ranking: { weights: ${weights} }
  rules:
    - id: no-casino-de
      when: { segment: de }
      exclude: { offerTypes: [1] }
`,
  });
  if (!result.ok) return t.fail(result.problems.map(formatProblem).join('\n'));
  const ow = result.rules.offerwall;
  t.deepEqual(ow?.segmentIds, ['de']);
  t.is(ow?.rules.size, 1);
  t.is(ow?.completedOffers, 'hide');
  t.is(ow?.ranking.freshnessHalfLifeDays, 30);
  t.true(Object.isFrozen(ow) && Object.isFrozen(ow?.ranking.weights));
  const [outcome] = (await ow?.rules.evaluate({ segments: ['de'] })) ?? [];
  t.like(outcome, { id: 'no-casino-de', matched: true, data: { exclude: { offerTypes: [1] } } });
});

test('an app without an Offerwall file has offerwall: null', async (t) => {
  const result = await load(t, { 'segments.yaml': segments });
  t.true(result.ok && result.rules.offerwall === null);
});

test('problems are located: unknown segment, duplicate id, no effect, zero weights, bad offer type, two files', async (t) => {
  const file = (body: string) => `apiVersion: offerd/v1
kind: Offerwall
version: 1
spec:
${body}`;
  const result = await load(t, {
    'segments.yaml': segments,
    'a.yaml': file(`  ranking:
    weights: { epc: 0, conversionRate: 0, userReward: 0, payout: 0, freshness: 0, affinity: 0 }
  rules:
    - id: r1
      when: { segment: nowhere }
      boost: { by: 0.1 }
    - id: r1
      when: { fact: request.device, operator: equal, value: ios }
`),
    'b.yaml': file(`  ranking: { weights: ${weights} }
  rules:
    - id: r2
      when: { fact: request.wallId, operator: equal, value: 1 }
      exclude: { offerTypes: [12] }
`),
  });
  t.false(result.ok);
  const problems = result.ok
    ? []
    : result.problems.map((p) => formatProblem({ ...p, file: p.file.split('/').pop() ?? '' }));
  t.deepEqual(problems, ['b.yaml:9:31 /spec/rules/0/exclude/offerTypes/0 must be <= 11']);
  const fixed = await load(t, {
    'segments.yaml': segments,
    'a.yaml': file(`  ranking:
    weights: { epc: 0, conversionRate: 0, userReward: 0, payout: 0, freshness: 0, affinity: 0 }
  rules:
    - id: r1
      when: { segment: nowhere }
      boost: { by: 0.1 }
    - id: r1
      when: { fact: request.device, operator: equal, value: ios }
`),
    'b.yaml': file(`  ranking: { weights: ${weights} }\n`),
  });
  const messages = fixed.ok
    ? []
    : fixed.problems.map((p) =>
        formatProblem({ ...p, file: p.file.split('/').pop() ?? '' }).replace(/\S*\/app\//g, ''),
      );
  t.deepEqual(messages, [
    'b.yaml:5:3 only one Offerwall file per app (the first is a.yaml)',
    'a.yaml:6:14 at least one ranking weight must be above 0',
    "a.yaml:11:11 duplicate offerwall rule id 'r1' (first defined at a.yaml:8:7)",
    "a.yaml:9:24 unknown segment 'nowhere'",
    "a.yaml:11:7 rule 'r1' does nothing: give it exclude, allowOnly or boost",
  ]);
});
