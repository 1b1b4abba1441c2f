import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { runCli } from '../../src/cli/main.js';
import { copyOfShippedRules } from '../helpers/rules-fixture.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

const WIN_BACK = `  experiments:
    - id: win-back
      status: running
      eligibility:
        segment: lapsed
      variations:
        - { id: 0, weight: 50 }
        - { id: 1, weight: 50 }
`;

async function withExperiment(
  t: Parameters<typeof copyOfShippedRules>[0],
  experiment: string,
): Promise<string> {
  const dir = await copyOfShippedRules(t);
  const file = path.join(dir, 'demo', 'banner.yaml');
  const text = await readFile(file, 'utf8');
  await writeFile(file, text.replace('  experiments:\n', experiment));
  return dir;
}

test('the shipped rules raise no experiment warning', async (t) => {
  const c = capture();
  t.is(await runCli(['validate', 'rules'], c.io), 0);
  t.deepEqual(c.err, []);
});

test('validate warns of a 100 % experiment that swallows a banner, and of eligibility the request changes', async (t) => {
  const c = capture();
  t.is(
    await runCli(['validate', await withExperiment(t, WIN_BACK)], c.io),
    0,
    'warnings do not fail validation',
  );
  const warnings = c.err.join('\n');
  t.regex(
    warnings,
    /demo\/banner\.yaml:\d+:7 warning: banner 'welcome-back' can never fire while experiment 'win-back' runs/,
  );
  t.regex(
    warnings,
    /demo\/banner\.yaml:25:9 warning: experiment 'win-back' is eligible on user\.daysSinceLastSeen \(through segment 'lapsed'\), which the banner request itself changes/,
  );
  t.is(c.err.length, 2, warnings);
});

test('half the traffic, or an occasion of its own, leaves the banner room: no shadowing warning', async (t) => {
  for (const extra of ['      trafficAllocation: 50\n', '      occasion: level_up\n']) {
    const c = capture();
    const dir = await withExperiment(
      t,
      WIN_BACK.replace('      status: running\n', `      status: running\n${extra}`),
    );
    t.is(await runCli(['validate', dir], c.io), 0);
    t.false(
      c.err.some((l) => l.includes('can never fire')),
      c.err.join('\n'),
    );
    t.true(c.err.some((l) => l.includes('user.daysSinceLastSeen')));
  }
});

/** The shipped rules with `banner` inserted as the first banner rule outside every experiment. */
async function withBannerBefore(
  t: Parameters<typeof copyOfShippedRules>[0],
  banner: string,
): Promise<string> {
  const dir = await copyOfShippedRules(t);
  const file = path.join(dir, 'demo', 'banner.yaml');
  const text = await readFile(file, 'utf8');
  const anchor = '    # For players outside every experiment.\n';
  if (!text.includes(anchor)) throw new Error('banner.yaml moved');
  await writeFile(file, text.replace(anchor, `${anchor}${banner}`));
  return dir;
}

const IMAGE = '      image: https://cdn.offerd.example/banners/x/{prizeKey}_{languageIso2}.png\n';

test('a banner rule after one that matches every request it matches is warned of at its own file:line:col', async (t) => {
  const cases: [string, string, RegExp][] = [
    [
      'no conditions',
      `    - id: everyone\n${IMAGE}`,
      /banner 'welcome-back' can never fire: banner 'everyone' \(.*banner\.yaml:131:7\)/,
    ],
    [
      'identical conditions',
      `    - id: lapsed-first\n      when: { segment: lapsed }\n${IMAGE}`,
      /banner 'welcome-back' can never fire: banner 'lapsed-first'/,
    ],
    [
      'weaker conditions, through a segment',
      `    - id: long-away\n      when: { fact: user.daysSinceLastSeen, operator: greaterThanInclusive, value: 14 }\n${IMAGE}`,
      /banner 'welcome-back' can never fire: banner 'long-away'/,
    ],
  ];
  for (const [name, banner, warning] of cases) {
    const c = capture();
    t.is(await runCli(['validate', await withBannerBefore(t, banner)], c.io), 0, name);
    const lines = c.err.filter((l) => l.includes("banner 'welcome-back' can never fire"));
    t.is(lines.length, 1, `${name}: ${c.err.join('\n')}`);
    t.regex(lines[0] as string, /demo\/banner\.yaml:1\d\d:7 warning: /, name);
    t.regex(lines[0] as string, warning, name);
  }
});

test('an experiment banner whose variations an earlier banner of the same experiment already takes is warned of', async (t) => {
  const dir = await copyOfShippedRules(t);
  const file = path.join(dir, 'demo', 'banner.yaml');
  const text = await readFile(file, 'utf8');
  // payer-hero takes variation 1 of payer-upsell with no other condition: a later banner for variation 1 of gems only never fires.
  const later = `    - id: payer-hero-gems\n      experiment: payer-upsell\n      variations: [1]\n      prizeTypes: [gems]\n${IMAGE}`;
  await writeFile(file, text.replace('    - id: payer-badge\n', `${later}    - id: payer-badge\n`));
  const c = capture();
  t.is(await runCli(['validate', dir], c.io), 0);
  t.regex(c.err.join('\n'), /warning: banner 'payer-hero-gems' can never fire: banner 'payer-hero' \(/);
  t.false(
    c.err.some((l) => l.includes("'payer-hero' can never fire")),
    'the dach banner before it is narrower',
  );
});

test('narrower or merely overlapping earlier banners raise no warning', async (t) => {
  for (const banner of [
    // Narrower first (lapsed and German): welcome-back still serves the other lapsed players.
    `    - id: lapsed-de\n      when: { all: [{ segment: lapsed }, { fact: request.countryIso2, operator: equal, value: DE }] }\n${IMAGE}`,
    // Overlapping: lapsed players outside DACH are not taken by it.
    `    - id: dach\n      when: { segment: dach }\n${IMAGE}`,
  ]) {
    const c = capture();
    t.is(await runCli(['validate', await withBannerBefore(t, banner)], c.io), 0);
    t.false(
      c.err.some((l) => l.includes('can never fire')),
      c.err.join('\n'),
    );
  }
});

test('a later experiment an earlier 100 % one always takes first is warned of at its eligibility', async (t) => {
  const everyone = `  experiments:
    - id: everyone
      status: running
      variations:
        - { id: 0, weight: 50 }
        - { id: 1, weight: 50 }
`;
  const c = capture();
  t.is(await runCli(['validate', await withExperiment(t, everyone)], c.io), 0);
  t.regex(
    c.err.join('\n'),
    /demo\/banner\.yaml:\d+:9 warning: experiment 'payer-upsell' can never enroll anyone new while experiment 'everyone' runs/,
  );
  const half = capture();
  const dir = await withExperiment(
    t,
    everyone.replace('status: running\n', 'status: running\n      trafficAllocation: 50\n'),
  );
  t.is(await runCli(['validate', dir], half.io), 0);
  t.false(
    half.err.some((l) => l.includes('can never enroll')),
    half.err.join('\n'),
  );
});

// Account-manager check: `trafficAllocation: 0.5` meant half and admitted one user in 200,
// with no word from validate.
test('validate warns of a trafficAllocation under 1, a percent read as a fraction; 50 raises nothing', async (t) => {
  const experiment = (share: string) => `  experiments:
    - id: tiny-test
      status: running
      trafficAllocation: ${share}
      occasion: level_up
      variations:
        - { id: 0, weight: 50 }
        - { id: 1, weight: 50 }
`;
  const c = capture();
  t.is(await runCli(['validate', await withExperiment(t, experiment('0.5'))], c.io), 0);
  t.regex(
    c.err.join('\n'),
    /demo\/banner\.yaml:\d+:\d+ warning: experiment 'tiny-test' has trafficAllocation 0\.5, a percent: it admits 0\.5 % of its eligible users \(one in 200\); for a share of 50 % write 50/,
  );
  const fine = capture();
  t.is(await runCli(['validate', await withExperiment(t, experiment('50'))], fine.io), 0);
  t.deepEqual(fine.err, []);
});

test('validate warns of two experiments summing revenue from different properties of one event; a stopped one raises nothing', async (t) => {
  const experiment = (status: string) => `  experiments:
    - id: price-test
      status: ${status}
      occasion: price_probe
      metrics:
        primary: { event: SpecialOfferPopupPurchased, value: price }
      variations:
        - { id: 0, weight: 50 }
        - { id: 1, weight: 50 }
`;
  const c = capture();
  t.is(await runCli(['validate', await withExperiment(t, experiment('running'))], c.io), 0);
  t.regex(
    c.err.join('\n'),
    /demo\/banner\.yaml:\d+:\d+ warning: experiment 'payer-upsell' sums revenue from SpecialOfferPopupPurchased\.revenue, but experiment 'price-test', earlier in rule order, reads SpecialOfferPopupPurchased\.price: an event keeps one value/,
  );
  t.is(c.err.length, 1, c.err.join('\n'));
  const stopped = capture();
  t.is(await runCli(['validate', await withExperiment(t, experiment('stopped'))], stopped.io), 0);
  t.deepEqual(stopped.err, []);
});
