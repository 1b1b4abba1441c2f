import { readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { createAppLoader } from '../../src/apis.js';
import { loadRulesDir } from '../../src/cli/load-rules-dir.js';
import { loadFixtures } from '../../src/fixtures/fixture-file.js';
import { readAppFiles } from '../../src/rules/app-loader.js';
import { formatProblem } from '../../src/rules/problems.js';
import {
  MAX_APP_RULE_BYTES,
  MAX_APP_RULE_FILES,
  MAX_APP_RULE_ITEMS,
  MAX_RULE_FILE_BYTES,
} from '../../src/rules/rule-text-limits.js';
import { RulesRegistry } from '../../src/rules/rules-registry.js';
import { copyOfShippedRules } from '../helpers/rules-fixture.js';
import { silentLogger } from '../helpers/silent-logger.js';

/**
 * An app's rule files are bounded as a whole (docs/rules.md, "A broken change"): 1,000 valid
 * files, each under the per-file cap, held the service 665 s (operator probe). Over a bound the
 * change is refused like an invalid one, the last good rules serving on.
 */

const header = (description: string) =>
  `apiVersion: offerd/v1\nkind: Segments\nversion: 1\nmetadata:\n  description: ${description}\nspec:\n  segments:\n`;

/** A valid Segments file of `count` segments `prefix-i`, each with a description of `pad` characters. */
function segmentsFile(prefix: string, count: number, pad = 0): string {
  let text = header(prefix);
  for (let i = 0; i < count; i++) {
    text += `    - id: ${prefix}-${i}\n`;
    if (pad > 0) text += `      description: ${'x'.repeat(pad)}\n`;
    text += `      conditions: {fact: user.purchases, operator: equal, value: ${i}}\n`;
  }
  return text;
}

async function setup(t: Parameters<typeof copyOfShippedRules>[0]) {
  const dir = await copyOfShippedRules(t);
  const registry = new RulesRegistry({ rulesDir: dir, loader: createAppLoader(), logger: silentLogger });
  await registry.reload(undefined, 'start');
  const demo = path.join(dir, 'demo');
  return { dir, demo, registry, status: () => registry.status().find((s) => s.appId === 'demo') };
}

test('the shipped rules and the bench scale are well within the app bounds', (t) => {
  // bench/scale-rules.ts ×10: 35 files, 151 KB, 494 items (segments, rules, banners...).
  t.true(MAX_APP_RULE_FILES >= 35 * 4);
  t.true(MAX_APP_RULE_BYTES >= 151 * 1024 * 3);
  t.true(MAX_APP_RULE_ITEMS >= 494 * 4);
});

test('an app whose files total more than the bound is refused by size, unread; the last good rules serve; lastError, the reload and validate say file: message', async (t) => {
  const { dir, demo, registry, status } = await setup(t);
  const good = registry.current('demo');
  // Five valid files of ~120 KB: each under its own cap, together past the app's.
  const big = segmentsFile('big', 1, MAX_RULE_FILE_BYTES - 8 * 1024);
  for (let i = 0; i < 5; i++) await writeFile(path.join(demo, `zz-big-${i}.yaml`), big);

  const files = await readAppFiles(dir, 'demo');
  t.true(
    files.files.every((f) => f.text === ''),
    'no file is read once the sizes are over',
  );

  const [outcome] = await registry.reload('demo');
  t.is(outcome?.result, 'failed');
  const problems = outcome?.result === 'failed' ? outcome.problems : [];
  t.is(problems.length, 1);
  t.regex(
    problems[0] ?? '',
    /zz-big-4\.yaml:1:1 the app's 13 rule files come to 6\d\d KB; an app's rule files may total at most 512 KB \(passed at this file\)$/,
  );
  t.is(registry.current('demo'), good, 'the same snapshot keeps serving');
  t.deepEqual(status()?.lastError?.problems, problems);

  const validated = await loadRulesDir(dir, 'demo');
  t.deepEqual(validated.problems.map(formatProblem), problems, 'offerd validate says the same');
});

test('an app of more files than the bound is refused, naming the first file too many', async (t) => {
  const { demo, registry } = await setup(t);
  const good = registry.current('demo');
  for (let i = 0; i < MAX_APP_RULE_FILES; i++) {
    await writeFile(path.join(demo, `zz-${String(i).padStart(3, '0')}.yaml`), segmentsFile(`f${i}`, 1));
  }
  const [outcome] = await registry.reload('demo');
  t.is(outcome?.result, 'failed');
  t.deepEqual(outcome?.result === 'failed' ? outcome.problems.map((p) => p.replace(demo, '')) : [], [
    `/zz-192.yaml:1:1 the app has 208 rule files; an app may have at most 200 (this is file 201)`,
  ]);
  t.is(registry.current('demo'), good);
});

test('an app of more segments and rules than the bound is refused at the first one too many', async (t) => {
  const { demo, registry } = await setup(t);
  const good = registry.current('demo');
  // The demo has 52 items; two files of 1,000 segments (~75 KB each) pass 2,000 in the second.
  await writeFile(path.join(demo, 'zz-a.yaml'), segmentsFile('a', 1000));
  await writeFile(path.join(demo, 'zz-b.yaml'), segmentsFile('b', 1000));
  const [outcome] = await registry.reload('demo');
  t.is(outcome?.result, 'failed');
  const problems = outcome?.result === 'failed' ? outcome.problems : [];
  // Item 2,001 is b's segment at index 2,000 - 52 - 1,000 = 948: line 8 + 2 × 948.
  t.deepEqual(
    problems.map((p) => p.replace(demo, '')),
    [
      `/zz-b.yaml:${8 + 2 * 948}:7 the app has more than 2,000 segments and rules (this is item 2,001); an app may have at most 2,000 in all (segments, rules, banners, experiments, offers...)`,
    ],
  );
  t.is(registry.current('demo'), good);

  // 2,000 in all go live.
  await writeFile(path.join(demo, 'zz-b.yaml'), segmentsFile('b', 948));
  const [live] = await registry.reload('demo');
  t.is(live?.result, 'activated', JSON.stringify(live));
});

test("an activation's history entry is bounded in bytes whatever the change, and says when its diff was cut", async (t) => {
  const { demo, registry, status } = await setup(t);
  // 40 files of 10 segments with 1 KB descriptions: 440 KB and 452 items, within the app's bounds.
  for (let i = 0; i < 40; i++) {
    await writeFile(path.join(demo, `zz-${i}.yaml`), segmentsFile(`h${i}`, 10, 1024));
  }
  const [outcome] = await registry.reload('demo');
  t.is(outcome?.result, 'activated', JSON.stringify(outcome));
  const entry = status()?.history[0];
  const bytes = JSON.stringify(entry).length;
  // The lines alone were 440 KB; the entry keeps 32 KB of them and its file list.
  t.true(bytes < 48 * 1024, `entry of ${bytes} bytes`);
  t.is(entry?.diff.length, 40, 'every changed file is listed');
  t.true(entry?.diff.some((d) => d.truncated && d.hunks.length === 0));
  t.regex(entry?.diffNote ?? '', /^diff cut at 32 KB of changed lines: \d+ of 40 changed files show none$/);
  t.true(JSON.stringify(status()).length < 96 * 1024, 'and so is the whole status');
});

test('parsing ahead gives the event loop a turn between files, so requests are served during a reload', async (t) => {
  const { dir, demo } = await setup(t);
  for (let i = 0; i < 4; i++) await writeFile(path.join(demo, `zz-${i}.yaml`), segmentsFile(`p${i}`, 300));
  const files = await readAppFiles(dir, 'demo');
  const loader = createAppLoader();
  let turns = 0;
  let running = true;
  const spin = () => {
    turns++;
    if (running) setImmediate(spin);
  };
  setImmediate(spin);
  await loader.parseAhead(files);
  running = false;
  t.true(turns >= files.files.length, `${turns} turns for ${files.files.length} files`);
  const result = loader.load(files);
  t.true(result.ok);
});

test("an app's fixture files, which the gate reads at every reload, are held to the same bounds, sized before any is read", async (t) => {
  const { dir, demo } = await setup(t);
  const tests = path.join(demo, 'tests');
  await writeFile(path.join(tests, 'zz-huge.yaml'), `# ${'x'.repeat(MAX_RULE_FILE_BYTES)}\n`);
  let found = await loadFixtures(dir, 'demo');
  t.deepEqual(
    found.problems.map((p) => `${path.basename(p.file)}:${p.line} ${p.message}`),
    ['zz-huge.yaml:1 file is 129 KB; a rule file may be at most 128 KB'],
  );
  for (let i = 0; i < 5; i++) {
    await writeFile(path.join(tests, `zz-${i}.yaml`), `# ${'x'.repeat(MAX_RULE_FILE_BYTES - 8 * 1024)}\n`);
  }
  found = await loadFixtures(dir, 'demo');
  t.is(found.cases.length, 0);
  // The files read up to zz-4.yaml, the shipped fixtures among them (they grow with cases).
  const names = (await readdir(tests)).filter((n) => n !== 'zz-huge.yaml');
  const bytes = (await Promise.all(names.map((n) => stat(path.join(tests, n))))).reduce(
    (s, f) => s + f.size,
    0,
  );
  t.deepEqual(
    found.problems.map((p) => `${path.basename(p.file)}:${p.line} ${p.message}`),
    [
      `zz-4.yaml:1 the app's 10 fixture files come to ${Math.ceil(bytes / 1024)} KB; an app's fixture files may total at most 512 KB (passed at this file)`,
    ],
  );
});
