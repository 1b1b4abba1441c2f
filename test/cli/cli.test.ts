import { writeFile } from 'node:fs/promises';
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
