import test from 'ava';
import { createAppLoader } from '../../src/apis.js';
import { BannerCaseRunner } from '../../src/banner/banner-case-runner.js';
import { appConfigFor } from '../../src/cli/app-config-for.js';
import { readAppFiles } from '../../src/rules/app-loader.js';
import type { AppRules } from '../../src/rules/app-rules.js';

const CURRENT = 'https://cdn.offerd.example/banners/current/{prizeKey}_{languageIso2}.png';

/** The demo rules with champion-spotlight's control carrying the current production banner. */
async function rulesWithControlBanner(
  optIn: boolean,
): Promise<{ rules: AppRules | null; problems: string[] }> {
  const { appId, files } = await readAppFiles('rules', 'demo');
  const edited = files.map((f) => {
    if (!f.path.endsWith('banner.yaml') || f.path.endsWith('-segments.yaml')) return f;
    const text = f.text
      .replace(
        '      bucketVersion: 2\n',
        `      bucketVersion: 2\n${optIn ? '      controlBanner: true\n' : ''}`,
      )
      .replace(
        '  banners:\n',
        `  banners:\n    - id: current-production\n      experiment: champion-spotlight\n      variations: [0]\n      image: ${CURRENT}\n\n`,
      );
    return { ...f, text };
  });
  const result = createAppLoader().load({ appId, files: edited });
  return result.ok
    ? { rules: result.rules, problems: [] }
    : { rules: null, problems: result.problems.map((p) => p.message) };
}

const request = { userId: 'player-11', offerId: '1', activeChamp: 'ahri' };
const input = { now: new Date('2026-11-20T12:00:00Z'), request, state: {} };

test('an experiment that opts in serves its control group the banner written for variation 0', async (t) => {
  const { rules } = await rulesWithControlBanner(true);
  if (!rules) return t.fail('the edited rules do not load');
  const { actual } = await new BannerCaseRunner().run(rules, appConfigFor('demo'), input);
  t.like(actual, {
    experimentId: 'champion-spotlight',
    variationId: 0,
    reason: 'MATCH',
    bannerId: 'current-production',
    imageFullUrl: 'https://cdn.offerd.example/banners/current/gems_500_en.png',
  });
});

test('without the opt-in a banner for variation 0 is a rule error: control keeps the default banner', async (t) => {
  const { rules, problems } = await rulesWithControlBanner(false);
  t.is(rules, null);
  t.true(
    problems.some((p) => p.includes('sets controlBanner: true')),
    problems.join('\n'),
  );
});
