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
  t.regex(warnings, /demo: warning: banner 'welcome-back' can never fire while experiment 'win-back' runs/);
  t.regex(
    warnings,
    /experiment 'win-back' is eligible on user\.daysSinceLastSeen \(through segment 'lapsed'\), which the banner request itself changes/,
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
