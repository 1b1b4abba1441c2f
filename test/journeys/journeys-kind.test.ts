import test from 'ava';
import { createAppLoader } from '../../src/apis.js';
import type { AppRules } from '../../src/rules/app-rules.js';
import { formatProblem } from '../../src/rules/problems.js';

const loader = createAppLoader();
const HEAD = 'apiVersion: offerd/v1\nkind: Journeys\nversion: 1\nspec:\n';
const SEGMENTS = `apiVersion: offerd/v1
kind: Segments
version: 1
spec:
  segments:
    - id: whales
      conditions: { fact: profile.engagementTier, operator: equal, value: whale }
`;

function load(files: Record<string, string>): { rules: AppRules | null; problems: string[] } {
  const result = loader.load({
    appId: 'app',
    files: Object.entries(files).map(([path, text]) => ({ path, text })),
  });
  return result.ok
    ? { rules: result.rules, problems: [] }
    : { rules: null, problems: result.problems.map(formatProblem) };
}

const offer = (type: string, extra = '') => `    - offerType: ${type}
      priority: 10
      conditions: { fact: profile.lifecycleStage, operator: equal, value: new }
      title: T
      description: D
      pointsValue: 5
      expiresIn: 7d
${extra}`;

test('an app without a Journeys file has no journeys rules; sections left out take the documented defaults', (t) => {
  t.is(load({ 's.yaml': SEGMENTS }).rules?.journeys, null);
  const { rules } = load({ 'j.yaml': `${HEAD}  offers:\n${offer('a')}` });
  const j = rules?.journeys;
  t.deepEqual(j?.stages, ['churned', 'at_risk', 'power_user', 'engaged', 'new', 'active']);
  t.is(j?.defaultStage, 'active');
  t.deepEqual(j?.tiers, ['casual', 'regular', 'power_user', 'whale']);
  t.deepEqual(j?.limits, { maxActiveOffers: 3, maxActivePerType: 1, inactivityDays: 60 });
  t.deepEqual(j?.score.recency, { weight: 30, cap: 30 });
  t.true(Object.isFrozen(j));
});

test('files merge: limits from one, offers from several; partial limits keep the other defaults', (t) => {
  const { rules, problems } = load({
    'a.yaml': `${HEAD}  limits: { maxActiveOffers: 5 }\n  offers:\n${offer('a')}`,
    'b.yaml': `${HEAD}  offers:\n${offer('b')}`,
  });
  t.deepEqual(problems, []);
  t.deepEqual(rules?.journeys?.limits, { maxActiveOffers: 5, maxActivePerType: 1, inactivityDays: 60 });
  t.deepEqual(
    rules?.journeys?.triggers.map((x) => x.offerType),
    ['a', 'b'],
  );
});

test('a section in two files and a duplicate offer type are located', (t) => {
  const { problems } = load({
    'a.yaml': `${HEAD}  limits: { maxActiveOffers: 5 }\n  offers:\n${offer('a')}`,
    'b.yaml': `${HEAD}  limits: { maxActiveOffers: 2 }\n  offers:\n${offer('a')}`,
  });
  t.deepEqual(problems, [
    "b.yaml:5:11 'limits' is already defined at a.yaml:5:11",
    "b.yaml:7:7 duplicate offer type id 'a' (first defined at a.yaml:7:7)",
  ]);
});

test('facts are checked: unknown names, and stage rules cannot read what is computed after them', (t) => {
  const { problems } = load({
    's.yaml': SEGMENTS,
    'j.yaml': `${HEAD}  lifecycle:
    default: active
    stages:
      - id: a
        conditions: { fact: profile.churnRisk, operator: greaterThan, value: 50 }
      - id: b
        conditions: { segment: whales }
      - id: c
        conditions: { fact: profile.plays30, operator: greaterThan, value: 1 }
  offers:
${offer('x').replace('profile.lifecycleStage', 'request.countryIso2')}`,
  });
  t.deepEqual(problems, [
    "j.yaml:9:29 'profile.churnRisk' is not known yet while stage, tier and churn risk are computed",
    'j.yaml:11:21 segments are evaluated after stage, tier and churn risk',
    "j.yaml:13:29 the journeys API provides no fact 'profile.plays30' (did you mean 'profile.plays30d'?)",
    "j.yaml:17:27 the journeys API provides no fact 'request.countryIso2' (did you mean 'user.country'?)",
  ]);
});

test('tier bands must grow, and only the last one is open-ended', (t) => {
  const { problems } = load({
    'j.yaml': `${HEAD}  tiers:
    fact: profile.plays30d
    bands:
      - { id: a, below: 10 }
      - { id: b, below: 5 }
      - { id: c }
      - { id: d, atMost: 100 }
`,
  });
  t.deepEqual(problems, [
    "j.yaml:9:9 band 'b' must end above the band before it",
    "j.yaml:10:9 every band but the last needs exactly one of 'below' or 'atMost'",
    'j.yaml:11:9 the last band is the catch-all: it takes no upper bound',
  ]);
});

test('score weights must add up to 100; templates and durations are checked', (t) => {
  const { problems } = load({
    's.yaml': SEGMENTS,
    'j.yaml': `${HEAD}  score:
    recency: { weight: 30, cap: 30 }
    frequency: { weight: 30, cap: 30 }
    monetary: { weight: 20, cap: 1000 }
    breadth: { weight: 10, cap: 5 }
  offers:
${offer('x')
  .replace('title: T', 'title: "Hi {{ account.name }}"')
  .replace('description: D', 'description: "{{ user.displayName"')
  .replace('expiresIn: 7d', 'expiresIn: 7 days')}`,
  });
  t.deepEqual(problems, [
    'j.yaml:17:18 /spec/offers/0/expiresIn must match pattern "^[1-9][0-9]{0,5}(m|h|d|w)$"',
  ]);
  const semantic = load({
    'j.yaml': `${HEAD}  score:
    recency: { weight: 30, cap: 30 }
    frequency: { weight: 30, cap: 30 }
    monetary: { weight: 20, cap: 1000 }
    breadth: { weight: 10, cap: 5 }
  offers:
${offer('x').replace('title: T', 'title: "Hi {{ account.name }}"').replace('description: D', 'description: "{{ user.displayName"')}`,
  });
  t.deepEqual(semantic.problems, [
    'j.yaml:6:5 weights must add up to 100 (they add up to 90)',
    "j.yaml:14:14 unknown placeholder root 'account' (known: profile, user, offer)",
    "j.yaml:15:20 malformed placeholder near '{{ user.displayName'",
  ]);
});

test('a placeholder path the rules cannot fill is refused at its file:line, with the closest name: misspellings, prototype names, an offer field that does not exist', (t) => {
  const withTexts = (title: string, description: string) =>
    load({
      'j.yaml': `${HEAD}  offers:\n${offer('x').replace('title: T', `title: "${title}"`).replace('description: D', `description: "${description}"`)}`,
    }).problems;
  t.deepEqual(withTexts('{{ offer.pointsValu }} points', 'for {{ user.dispalyName | you }}'), [
    "j.yaml:9:14 placeholder '{{ offer.pointsValu }}': an offer has no field 'pointsValu' (known: offerType, gameType, pointsValue); did you mean 'offer.pointsValue'?",
    "j.yaml:10:20 placeholder '{{ user.dispalyName }}': the journeys API provides no fact 'user.dispalyName' (did you mean 'user.displayName'?)",
  ]);
  t.is(
    withTexts('{{ user.constructor }}', '{{ offer.constructor }}').length,
    2,
    'prototype names are no fact',
  );
  t.deepEqual(
    withTexts(
      '{{ offer.pointsValue }} for {{ user.displayName | you }}',
      '{{ user.tags.vip }} {{ profile.plays7d }}',
    ),
    [],
    'real fields, facts and open keys (user.tags.*) pass',
  );
});

test('the tier fact and the facts of segments the journeys rules use are checked too', (t) => {
  const { problems } = load({
    's.yaml': SEGMENTS.replace('profile.engagementTier', 'profile.engagementTierr'),
    'j.yaml': `${HEAD}  tiers:\n    fact: profile.playz30d\n    bands:\n      - { id: all }\n  offers:\n${offer(
      'a',
    ).replace('{ fact: profile.lifecycleStage, operator: equal, value: new }', '{ segment: whales }')}`,
  });
  t.deepEqual(problems, [
    "j.yaml:6:11 the journeys API provides no fact 'profile.playz30d' (did you mean 'profile.plays30d'?)",
    "s.yaml:7:27 the journeys API provides no fact 'profile.engagementTierr' (did you mean 'profile.engagementTier'?); " +
      "segment 'whales' is used by journeys rules",
  ]);
});
