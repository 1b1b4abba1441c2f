import test from 'ava';
import { createAppLoader } from '../../src/apis.js';
import { formatProblem } from '../../src/rules/problems.js';

const loader = createAppLoader();

const segments = `apiVersion: offerd/v1
kind: Segments
version: 1
spec:
  segments:
    - id: payer
      conditions: {fact: user.purchases, operator: greaterThanInclusive, value: 1}
`;

function load(banner: string, extra: Record<string, string> = {}) {
  const files = Object.entries({ 'segments.yaml': segments, 'banner.yaml': banner, ...extra }).map(
    ([path, text]) => ({ path, text }),
  );
  return loader.load({ appId: 'app', files });
}

const problemsOf = (banner: string, extra?: Record<string, string>): string[] => {
  const result = load(banner, extra);
  return result.ok ? [] : result.problems.map(formatProblem);
};

const settings = `apiVersion: offerd/v1
kind: Banner
version: 1
spec:
  settings:
    defaultPrizeKey: gems
    prizeTypes: [gems, coins]
    defaultBanner: {image: "https://cdn.example/{prizeKey}_{languageIso2}.png"}
`;

test('a minimal Banner file compiles, frozen, with defaults filled in', (t) => {
  const result = load(settings);
  t.true(result.ok);
  if (!result.ok || !result.rules.banner) return;
  const { banner } = result.rules;
  t.deepEqual(banner.settings, {
    defaultPrizeKey: 'gems',
    prizeTypes: ['gems', 'coins'],
    fallbackLanguage: 'en',
    languages: ['en'],
    unknownCountry: 'ZZ',
    defaultBanner: { template: 'https://cdn.example/{prizeKey}_{languageIso2}.png', languages: ['en'] },
  });
  t.true(Object.isFrozen(banner) && Object.isFrozen(banner.settings) && Object.isFrozen(banner.experiments));
  t.is(banner.banners.size, 0);
});

test('an app without a Banner file has no banner rules', (t) => {
  const result = loader.load({ appId: 'app', files: [{ path: 'segments.yaml', text: segments }] });
  t.true(result.ok && result.rules.banner === null);
});

test('semantic mistakes are reported with file:line:col', (t) => {
  const problems = problemsOf(`${settings}    languages: [en]
  experiments:
    - id: exp
      status: running
      eligibility: {segment: whales}
      variations:
        - {id: 1, weight: 0}
        - {id: 1, weight: 0}
    - id: exp
      status: paused
      variations: [{id: 0, weight: 1}, {id: 1, weight: 1}]
  banners:
    - id: b1
      experiment: nope
      image: https://cdn.example/{prize}.png
    - id: b2
      experiment: exp
      variations: [0, 5]
      prizeTypes: [diamonds]
      image: /relative.png
      languages: [de, xx]
    - id: b3
      variations: [1]
      image: https://cdn.example/a.png
`);
  t.deepEqual(problems, [
    "banner.yaml:17:11 duplicate experiment id 'exp' (first defined at banner.yaml:11:7)",
    'banner.yaml:16:16 duplicate variation id 1',
    'banner.yaml:15:9 variation 0 (the control group) is missing',
    'banner.yaml:15:9 at least one variation needs a weight above 0',
    "banner.yaml:13:30 unknown segment 'whales'",
    "banner.yaml:22:19 unknown experiment 'nope'",
    "banner.yaml:21:7 a banner of experiment 'nope' needs its variations",
    'banner.yaml:23:14 unknown placeholder {prize} in the image URL',
    "banner.yaml:26:20 variation 0 is control: it gets the default banner unless experiment 'exp' sets controlBanner: true",
    "banner.yaml:26:23 experiment 'exp' has no variation 5",
    "banner.yaml:27:20 'diamonds' is not one of the app's prizeTypes",
    'banner.yaml:28:14 the image must be an absolute http(s) URL template',
    "banner.yaml:29:23 'xx' is not an ISO 639-1 language code",
    "banner.yaml:29:18 languages must include the fallback language 'en'",
    'banner.yaml:31:19 variations need an experiment',
  ]);
});

test("a bucket version past PostgreSQL's integer is refused at its line, not by every render's write", (t) => {
  const experiment = (bucketVersion: number) => `${settings}  experiments:
    - id: exp
      status: running
      bucketVersion: ${bucketVersion}
      variations: [{id: 0, weight: 1}, {id: 1, weight: 1}]
`;
  t.deepEqual(problemsOf(experiment(2_147_483_648)), [
    'banner.yaml:12:22 /spec/experiments/0/bucketVersion must be <= 2147483647',
  ]);
  t.deepEqual(problemsOf(experiment(2_147_483_647)), []);
});

test('settings must be defined exactly once across the Banner files', (t) => {
  const more = 'apiVersion: offerd/v1\nkind: Banner\nversion: 1\nspec:\n  banners: []\n';
  t.deepEqual(problemsOf(more), ['banner.yaml:5:3 one Banner file of the app must define settings']);
  t.deepEqual(problemsOf(settings, { 'banner-more.yaml': settings }), [
    'banner-more.yaml:6:5 settings are already defined in banner.yaml',
  ]);
  t.deepEqual(problemsOf(settings, { 'banner-more.yaml': more }), []);
});

test('schema mistakes are located too', (t) => {
  const problems = problemsOf(`${settings}  experiments:
    - id: exp
      status: runing
      trafficAllocation: 150
      variations: [{id: 0, weight: 1}]
`);
  t.deepEqual(problems, [
    'banner.yaml:11:15 /spec/experiments/0/status must be one of running, paused, stopped',
    'banner.yaml:12:26 /spec/experiments/0/trafficAllocation must be <= 100',
    'banner.yaml:13:19 /spec/experiments/0/variations must NOT have fewer than 2 items',
  ]);
});
