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

/** Misspells the first `expect` key of a fixture file (`key` → `keyz`): where it stands, and the names. */
async function misspellFirstExpectation(file: string) {
  const lines = (await readFile(file, 'utf8')).split('\n');
  const start = lines.findIndex((l) => /^\s+expect:\s*$/.test(l));
  const at = start + 1;
  const [, indent = '', key = ''] = /^(\s+)(\w+):/.exec(lines[at] ?? '') ?? [];
  lines[at] = (lines[at] as string).replace(`${key}:`, `${key}z:`);
  await writeFile(file, lines.join('\n'));
  return { line: at + 1, col: indent.length + 1, key, wrong: `${key}z` };
}

// Account-manager probe: `experimentld` (a lower-case L) in banner.yaml was "demo: ok" to
// validate, exit 0, and a failure to `offerd test`. Every API's fixtures, one check.
test('validate reports an expect key no result has, in every API fixture file, where offerd test fails it', async (t) => {
  const dir = await copyOfShippedRules(t);
  const tests = path.join(dir, 'demo', 'tests');
  const banner = path.join(tests, 'banner.yaml');
  const text = await readFile(banner, 'utf8');
  await writeFile(
    banner,
    text.replace('      experimentId: champion-spotlight\n', '      experimentld: champion-spotlight\n'),
  );
  const probe = capture();
  t.is(await runCli(['validate', dir], probe.io), 1);
  t.deepEqual(probe.err, [
    `${banner}:12:7 experimentld: no such result 'experimentld' in a banner case: did you mean 'experimentId'?`,
    `1 problem in ${dir}`,
  ]);
  t.deepEqual(probe.out, [], 'not "demo: ok"');

  const apis = {
    'offerwall.yaml': 'offerwall',
    'journeys.yaml': 'journeys',
    'special-offers.yaml': 'special-offer',
  };
  const misspelt = [];
  for (const [name, api] of Object.entries(apis)) {
    const file = path.join(tests, name);
    misspelt.push({ file, api, ...(await misspellFirstExpectation(file)) });
  }
  const all = capture();
  t.is(await runCli(['validate', dir], all.io), 1);
  const report = all.err.join('\n');
  for (const m of misspelt) {
    const message = `${m.wrong}: no such result '${m.wrong}' in a ${m.api} case: did you mean '${m.key}'?`;
    t.true(report.includes(`${m.file}:${m.line}:${m.col} ${message}`), report);
  }
  t.regex(report, /^4 problems in /m);
  // offerd test fails each at the same line, in the same words.
  const run = capture();
  t.is(await runCli(['test', dir], run.io), 1);
  const failures = run.out.join('\n');
  t.true(
    failures.includes(`${banner}:12 experimentld: no such result 'experimentld' in a banner case`),
    failures,
  );
  for (const m of misspelt)
    t.true(failures.includes(`${m.file}:${m.line} ${m.wrong}: no such result`), m.file);
});
