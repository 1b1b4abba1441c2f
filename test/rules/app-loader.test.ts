import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { createAppLoader } from '../../src/apis.js';
import { type AppLoader, readAppFiles } from '../../src/rules/app-loader.js';
import { formatProblem } from '../../src/rules/problems.js';
import { writeRuleFile } from '../helpers/rules-fixture.js';
import { tempDir } from '../helpers/temp-dir.js';

const loader = createAppLoader();

async function problemsOf(
  t: Parameters<typeof tempDir>[0],
  files: Record<string, string>,
): Promise<string[]> {
  const dir = await tempDir(t);
  for (const [name, text] of Object.entries(files)) await writeRuleFile(dir, 'app', name, text);
  const result = loader.load(await readAppFiles(dir, 'app'));
  return result.ok
    ? []
    : result.problems.map((p) => formatProblem({ ...p, file: p.file.split('/').pop() ?? '' }));
}

const header = 'apiVersion: offerd/v1\nkind: Segments\nversion: 1\nspec:\n  segments:\n';

test('the shipped demo rules load', async (t) => {
  const result = loader.load(await readAppFiles('rules', 'demo'));
  t.true(result.ok, result.ok ? '' : result.problems.map(formatProblem).join('\n'));
});

test('YAML syntax errors are located', async (t) => {
  const problems = await problemsOf(t, {
    'a.yaml': `${header}    - id: x\n      conditions: {fact: a, operator: equal, value: [1\n`,
  });
  t.true(problems.length > 0);
  t.regex(problems[0] ?? '', /^a\.yaml:\d+:\d+ /);
});

test('a duplicated key is an error, not a silent overwrite', async (t) => {
  const problems = await problemsOf(t, {
    'a.yaml': `${header}    - id: x\n      id: y\n      conditions: {fact: a, operator: equal, value: 1}\n`,
  });
  t.deepEqual(problems, ['a.yaml:7:7 Map keys must be unique']);
});

test('schema violations name the path and point at the key', async (t) => {
  const problems = await problemsOf(t, {
    'a.yaml': `${header}    - id: x\n      colour: red\n      conditions: {fact: a, operator: equal, value: 1}\n`,
  });
  t.deepEqual(problems, ["a.yaml:7:7 /spec/segments/0 has unknown property 'colour'"]);
});

test('a misspelt property is told the one it is closest to; one far from any is not', async (t) => {
  const problems = await problemsOf(t, {
    'a.yaml': `${header}    - id: x\n      conditon: {fact: a, operator: equal, value: 1}\n      colour: red\n`,
  });
  t.true(
    problems.includes(
      "a.yaml:7:7 /spec/segments/0 has unknown property 'conditon' (did you mean 'conditions'?)",
    ),
    problems.join('\n'),
  );
  t.true(problems.includes("a.yaml:8:7 /spec/segments/0 has unknown property 'colour'"), problems.join('\n'));
});

test('a missing version and an unknown kind are reported', async (t) => {
  const problems = await problemsOf(t, {
    'a.yaml': 'apiVersion: offerd/v1\nkind: Segments\nspec: {segments: []}\n',
    'b.yaml': 'apiVersion: offerd/v1\nkind: Banana\nversion: 1\nspec: {}\n',
  });
  t.deepEqual(problems, [
    "a.yaml:1:1 / must have required property 'version'",
    `b.yaml:2:7 unknown kind 'Banana' (known: Segments, Banner, Offerwall, Journeys)`,
  ]);
});

test("a segment renamed without its references: every reference to it is reported in one pass, the API files' too", async (t) => {
  const dir = await tempDir(t);
  for (const name of [
    'segments.yaml',
    'banner-segments.yaml',
    'banner.yaml',
    'offerwall.yaml',
    'offerwall-segments.yaml',
    'journeys.yaml',
    'journeys-segments.yaml',
    'journeys-offers.yaml',
  ]) {
    const text = await readFile(path.join('rules', 'demo', name), 'utf8').catch(() => null);
    if (text !== null) await writeRuleFile(dir, 'app', name, text);
  }
  const segments = path.join(dir, 'app', 'segments.yaml');
  await writeFile(
    segments,
    (await readFile(segments, 'utf8')).replace(/^(\s+- id: )dach$/m, '$1dach-region'),
  );
  const result = loader.load(await readAppFiles(dir, 'app'));
  if (result.ok) throw new Error('the renamed segment loaded');
  const files = result.problems.map((p) => `${path.basename(p.file)} ${p.message}`).sort();
  t.deepEqual(files, [
    "banner-segments.yaml unknown segment 'dach'",
    "banner.yaml unknown segment 'dach'",
    "offerwall.yaml unknown segment 'dach'",
    "segments.yaml unknown segment 'dach'",
  ]);
});

test('unknown segments, unknown operators, bad values, mixed forms, duplicates and cycles are all reported with file:line:col', async (t) => {
  const problems = await problemsOf(t, {
    'a.yaml': `${header}    - id: dup\n      conditions: {fact: a, operator: equal, value: 1}\n`,
    'b.yaml': [
      header.trimEnd(),
      '    - id: dup',
      '      conditions: {fact: a, operator: equal, value: 1}',
      '    - id: loop-a',
      '      conditions: {segment: loop-b}',
      '    - id: loop-b',
      '      conditions:',
      '        any:',
      '          - segment: loop-a',
      '          - segment: nowhere',
      '          - {fact: user.level, operator: gte, value: 3}',
      '          - {fact: user.level, operator: in, value: 3}',
      '          - {fact: a, operator: equal, value: 1, segment: dup}',
      '',
    ].join('\n'),
  });
  t.regex(problems[0] ?? '', /^b\.yaml:6:11 duplicate segment id 'dup' \(first defined at .*a\.yaml:6:7\)$/);
  t.deepEqual(problems.slice(1), [
    "b.yaml:14:22 unknown segment 'nowhere'",
    "b.yaml:15:42 unknown operator 'gte' (known: equal, notEqual, lessThan, lessThanInclusive, greaterThan, greaterThanInclusive, in, notIn, contains, doesNotContain, exists, startsWith, endsWith, between, containsAny)",
    "b.yaml:16:53 operator 'in' needs a list as value",
    'b.yaml:17:13 a condition needs exactly one of all, any, not, fact, segment (found fact, segment)',
    'b.yaml:9:19 segment cycle: loop-a -> loop-b -> loop-a',
  ]);
});

test('a segment that is too large once the segments it references are written out is refused at its root', async (t) => {
  // c_i is any of ten references to c_(i-1): 1, 10, 100, 1,000, then 10,000 conditions as
  // json-rules-engine inlines them (a copy per reference); a 1 KB file, minutes of CPU before.
  const lines = [
    header.trimEnd(),
    '    - id: c0',
    '      conditions: {fact: user.purchases, operator: lessThan, value: -1}',
  ];
  for (let i = 1; i <= 5; i++) {
    lines.push(`    - id: c${i}`, '      conditions:', '        any:');
    for (let k = 0; k < 10; k++) lines.push(`          - segment: c${i - 1}`);
  }
  const problems = await problemsOf(t, { 'chain.yaml': `${lines.join('\n')}\n` });
  t.deepEqual(problems, [
    "chain.yaml:49:9 segment 'c4' is 10,000 conditions once the segments it references are written out (each reference is a full copy); at most 1,000: reference fewer segments, or segments that reference fewer",
  ]);
  const fine = lines.slice(0, 3 + 3 * 13);
  t.deepEqual(
    await problemsOf(t, { 'chain.yaml': `${fine.join('\n')}\n` }),
    [],
    'c3, 1,000 conditions, loads',
  );
});

test('the app version names every file version and the hash follows the content', async (t) => {
  const dir = await tempDir(t);
  const empty = 'apiVersion: offerd/v1\nkind: Segments\nversion: 7\nspec:\n  segments: []\n';
  await writeRuleFile(dir, 'app', 'segments.yaml', empty);
  await writeRuleFile(dir, 'app', 'more.yaml', empty.replace('version: 7', "version: '2026-11-01'"));
  const first = loader.load(await readAppFiles(dir, 'app'));
  if (!first.ok) return t.fail();
  t.is(first.rules.version, 'more:2026-11-01,segments:7');
  await writeRuleFile(dir, 'app', 'segments.yaml', `${empty}# a comment changes the content\n`);
  const second = loader.load(await readAppFiles(dir, 'app'));
  if (!second.ok) return t.fail(second.problems.map(formatProblem).join());
  t.not(second.rules.hash, first.rules.hash);
  t.true(Object.isFrozen(second.rules));
});

test('one loader reused across reloads re-reads changed files and equals a fresh load every time', async (t) => {
  const dir = await tempDir(t);
  const segment = (id: string, level: number) =>
    `${header}    - id: ${id}\n      conditions: { fact: context.level, operator: greaterThan, value: ${level} }\n`;
  const reused = createAppLoader();
  const both = async () => {
    const files = await readAppFiles(dir, 'app');
    return { reused: reused.load(files), fresh: createAppLoader().load(files) };
  };
  const summary = (r: ReturnType<AppLoader['load']>) =>
    r.ok
      ? { version: r.rules.version, segments: r.rules.segments.definitions.map((d) => [d.id, d.conditions]) }
      : { problems: r.problems.map(formatProblem) };

  await writeRuleFile(dir, 'app', 'a.yaml', segment('a', 1));
  await writeRuleFile(dir, 'app', 'b.yaml', segment('b', 2));
  let r = await both();
  t.deepEqual(summary(r.reused), summary(r.fresh));

  // b changes its condition but keeps its version: the text decides, not the version.
  await writeRuleFile(dir, 'app', 'b.yaml', segment('b', 20));
  r = await both();
  t.deepEqual(summary(r.reused), summary(r.fresh));
  t.true(JSON.stringify(summary(r.reused)).includes('20'));

  // A broken file is reported, then the fix loads again.
  await writeRuleFile(dir, 'app', 'b.yaml', `${header}    - id: [broken\n`);
  r = await both();
  t.false(r.reused.ok);
  t.deepEqual(summary(r.reused), summary(r.fresh));
  await writeRuleFile(dir, 'app', 'b.yaml', segment('b', 3));
  r = await both();
  t.true(r.reused.ok);
  t.deepEqual(summary(r.reused), summary(r.fresh));
});

test('hostile text is refused before the parser sees it, fast, with a message a person understands', async (t) => {
  const dir = await tempDir(t);
  await writeRuleFile(dir, 'app', 'big.yaml', `${header}${'#'.repeat(5 * 1024 * 1024)}\n`);
  await writeRuleFile(dir, 'app', 'binary.yaml', String.fromCharCode(0, 1, 2, 255, 0xfffd));
  await writeRuleFile(dir, 'app', 'empty.yaml', '\n  \n');
  await writeRuleFile(dir, 'app', 'flow.yaml', `a: ${'['.repeat(100_000)}`);
  await writeRuleFile(dir, 'app', 'dashes.yaml', `${'- '.repeat(50_000)}x`);
  const started = performance.now();
  const files = await readAppFiles(dir, 'app');
  t.is(files.files.find((f) => f.path.endsWith('big.yaml'))?.text, '', 'an oversized file is not read');
  const result = loader.load(files);
  t.true(performance.now() - started < 5000);
  const problems = result.ok ? [] : result.problems.map((p) => `${p.file.split('/').pop()} ${p.message}`);
  t.deepEqual(problems, [
    'big.yaml file is 5.0 MB; a rule file may be at most 128 KB',
    'binary.yaml file is not UTF-8 text (binary content?): a rule file is YAML',
    'dashes.yaml a line starts its content at column 100000: nesting deeper than 128 columns of indentation and - or ? indicators',
    'empty.yaml file is empty: a rule file needs apiVersion, kind, version and spec',
    'flow.yaml nesting deeper than 64 levels of [ and {',
  ]);
});

test('complex keys, alias bombs and many keys are problems, never exceptions or minutes of parsing', async (t) => {
  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 8; i++) bomb.push(`a${i}: &a${i} [${`*a${i === 1 ? '' : i - 1}, `.repeat(10)}x]`);
  const keys = Array.from({ length: 10_000 }, (_, i) => `k${i}: ${i}`).join('\n');
  const started = performance.now();
  const problems = await problemsOf(t, {
    'a.yaml': `${header}    - ? [x]\n      : 1\n`,
    'b.yaml': `${bomb.join('\n')}\n`,
    'c.yaml': `${keys}\nk5: 5\n`,
  });
  // Loose: the machine may be busy; the pairwise duplicate check took minutes on such files.
  t.true(performance.now() - started < 20_000);
  t.deepEqual(problems, [
    'a.yaml:6:9 a key must be a plain value, not a list, mapping or alias',
    'b.yaml:1:1 Excessive alias count indicates a resource exhaustion attack',
    'c.yaml:10001:1 Map keys must be unique',
  ]);
});

test('a fixtures file among the rule files is told where it belongs', async (t) => {
  const problems = await problemsOf(t, {
    'a.yaml': 'apiVersion: offerd/v1\nkind: Fixtures\nversion: 1\nspec: {cases: []}\n',
  });
  t.true(
    problems.some((p) => /^a\.yaml:2:\d+ kind Fixtures belongs in the app's tests\/ folder/.test(p)),
    problems.join('\n'),
  );
});
