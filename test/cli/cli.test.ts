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

test('validate exits 0 on the shipped rules', async (t) => {
  const c = capture();
  t.is(await runCli(['validate', 'rules'], c.io), 0);
  t.regex(c.out.join('\n'), /^demo: ok/m);
});

test('validate exits 1 on a broken copy and names file:line:col', async (t) => {
  const dir = await copyOfShippedRules(t);
  const file = path.join(dir, 'demo', 'segments.yaml');
  await writeFile(
    file,
    'apiVersion: offerd/v1\nkind: Segments\nversion: 1\nspec:\n  segments:\n    - id: x\n      conditions: {fact: a, operator: gte, value: 1}\n',
  );
  const c = capture();
  t.is(await runCli(['validate', dir], c.io), 1);
  t.regex(c.err.join('\n'), /segments\.yaml:7:39 unknown operator 'gte'/);
});

test('one mis-indented line is reported at its line, not buried under the errors it causes', async (t) => {
  const dir = await copyOfShippedRules(t);
  const file = path.join(dir, 'demo', 'banner.yaml');
  const lines = (await readFile(file, 'utf8')).split('\n');
  const at = lines.findIndex((l) => l.startsWith('        - { id: 1, name: hero-art'));
  t.true(at >= 0);
  lines[at] = (lines[at] as string).trimStart();
  // The slip repeated in a few places, as an editor's bad paste does: hundreds of follow-on errors.
  for (let i = at + 1; i < lines.length; i++)
    if (/^ {8}- \{ id: \d/.test(lines[i] as string)) lines[i] = (lines[i] as string).trimStart();
  await writeFile(file, lines.join('\n'));
  const c = capture();
  t.is(await runCli(['validate', dir], c.io), 1);
  const problems = c.err.filter((l) => l.includes('banner.yaml:'));
  t.true(problems.length <= 3, problems.join('\n'));
  t.regex(problems[0] ?? '', new RegExp(`banner\\.yaml:${at + 1}:1 `));
  t.regex(problems.at(-1) ?? '', /and \d+ more syntax error\(s\) after it/);
});

test('keys hash prints the sha256 form used in config', async (t) => {
  const c = capture();
  t.is(await runCli(['keys', 'hash', 'demo-key'], c.io), 0);
  t.deepEqual(c.out, ['sha256:c48a01f49fd0f2cc404bc3cbbc80e91457a3d41bb429a695243de4c61794155c']);
});

test('an unknown command is one line naming the commands, exit 2; no command at all prints the usage', async (t) => {
  const c = capture();
  t.is(await runCli(['frobnicate'], c.io), 2);
  t.deepEqual(c.err, [
    "offerd: unknown command 'frobnicate' (commands: validate, test, explain, diff, keys, journeys, migrate, store, serve; offerd --help)",
  ]);
  const none = capture();
  t.is(await runCli([], none.io), 2);
  t.regex(none.err.join('\n'), /usage: offerd/);
});
