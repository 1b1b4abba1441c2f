import { execFileSync } from 'node:child_process';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { runCli } from '../../src/cli/main.js';
import { copyOfShippedRules } from '../helpers/rules-fixture.js';
import { tempDir } from '../helpers/temp-dir.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

test('offerd test passes on the shipped rules, in every reporter', async (t) => {
  for (const reporter of ['pretty', 'tap', 'junit']) {
    const c = capture();
    t.is(await runCli(['test', 'rules', '--reporter', reporter], c.io), 0, c.out.join('\n'));
  }
  const tap = capture();
  await runCli(['test', 'rules', '--reporter', 'tap'], tap.io);
  t.regex(tap.out.join('\n'), /# fail 0$/);
});

test('a changed expectation fails and points at its file and line', async (t) => {
  const dir = await copyOfShippedRules(t);
  const file = path.join(dir, 'demo', 'tests', 'offerwall.yaml');
  const lines = (await readFile(file, 'utf8')).split('\n');
  const at = lines.findIndex((l) => /^\s+total:/.test(l));
  t.true(at >= 0, 'the offerwall fixtures assert a total somewhere');
  lines[at] = (lines[at] as string).replace(/total:.*/, 'total: 99999');
  await writeFile(file, lines.join('\n'));
  const c = capture();
  t.is(await runCli(['test', dir], c.io), 1);
  t.regex(c.out.join('\n'), new RegExp(`offerwall\\.yaml:${at + 1} total: not equal`));
});

test('offerd test exits 1 when the rules do not validate', async (t) => {
  const dir = await copyOfShippedRules(t);
  await writeFile(path.join(dir, 'demo', 'segments.yaml'), 'apiVersion: offerd/v1\nkind: Segments\n');
  const c = capture();
  t.is(await runCli(['test', dir], c.io), 1);
  t.regex(c.err.join('\n'), /segments\.yaml:1:1 .*version/);
  t.deepEqual(c.out, [], 'pretty: stderr says it');
  // A CI collector reads the report from stdout: it holds the failure, not nothing.
  const junit = capture();
  t.is(await runCli(['test', dir, '--reporter', 'junit'], junit.io), 1);
  const xml = junit.out.join('\n');
  t.regex(xml, /<testsuite name="offerd fixtures" tests="\d+" failures="0" errors="\d+">/);
  t.regex(
    xml,
    /<testcase classname="rules" name="[^"]*segments\.yaml:1:1"[^>]*>\s*<error message="[^"]*version/,
  );
  const tap = capture();
  t.is(await runCli(['test', dir, '--reporter', 'tap'], tap.io), 1);
  t.regex(tap.out.join('\n'), /^not ok 1 - .*segments\.yaml:1:1 /m);
  // A rule's own text cannot make a failure read as a TAP directive (# SKIP, # TODO).
  await writeFile(
    path.join(dir, 'demo', 'segments.yaml'),
    'apiVersion: offerd/v1\nkind: Segments\nversion: 1\nspec:\n  "x # SKIP later": 1\n',
  );
  const directive = capture();
  t.is(await runCli(['test', dir, '--reporter', 'tap'], directive.io), 1);
  const failing = directive.out
    .join('\n')
    .split('\n')
    .filter((l) => l.startsWith('not ok'));
  t.true(failing.length > 0);
  for (const line of failing) t.notRegex(line, /[^\\]# (SKIP|TODO)/i, line);
  t.regex(failing.join('\n'), /\\# SKIP later/);
});

test('offerd explain says why an excluded offer was excluded, with the value that failed', async (t) => {
  const ctx = path.join(await tempDir(t), 'ctx.json');
  await writeFile(ctx, JSON.stringify({ request: { uid: 'u1', wall: 1001, numoffers: 3, ip: '5.9.0.1' } }));
  const c = capture();
  t.is(await runCli(['explain', '--app', 'demo', '--api', 'offerwall', '--context', ctx], c.io), 0);
  const out = JSON.parse(c.out.join('\n')) as {
    why: { whyNot: { reason: string; requestValue: unknown; offerValue: unknown; because?: unknown }[] };
  };
  const byCountry = out.why.whyNot.find((w) => w.reason === 'country');
  t.is(byCountry?.requestValue, 'DE');
  t.false((byCountry as { offerValue: string[] }).offerValue.includes('DE'));
  const byRule = out.why.whyNot.find((w) => w.reason === 'rule_exclude');
  t.regex(JSON.stringify(byRule?.because), /"factValue"/);
});

test('offerd diff lists the users whose offer order changed when one ranking weight changes', async (t) => {
  const dir = await copyOfShippedRules(t);
  const file = path.join(dir, 'demo', 'offerwall.yaml');
  await writeFile(file, (await readFile(file, 'utf8')).replace(/epc: [0-9.]+/, 'epc: 0.01'));
  const c = capture();
  t.is(await runCli(['diff', 'rules', dir], c.io), 0);
  const text = c.out.join('\n');
  t.regex(text, /~ \[demo\/offerwall\] .+\n\s+(.+\n\s+)*offerIds: \[.+\] -> \[.+\]/);
  t.regex(text, /^\d+ of \d+ users changed \(.*offerIds \d+/m);
  t.notRegex(text, /\[demo\/banner\]/, 'banner users are untouched by an offerwall weight');
  // Then the replay's summary over the fixture users, in business numbers.
  t.regex(text, /^offerwall: [1-9]\d* of \d+ requests change/m);
  t.regex(text, /^ {4}average EPC +[\d.]+ -> [\d.]+$/m);
  t.regex(text, /^banner: 0 of \d+ requests change \(0\.0%\)$/m);
  const same = capture();
  await runCli(['diff', 'rules', 'rules'], same.io);
  t.regex(same.out.join('\n'), /^0 of \d+ users changed$/m);
});

test('offerd test never passes having checked nothing: an app whose fixtures are gone or empty fails', async (t) => {
  const dir = await copyOfShippedRules(t);
  const tests = path.join(dir, 'demo', 'tests');
  for (const name of await readdir(tests)) await rm(path.join(tests, name));
  await writeFile(path.join(tests, 'empty.yaml'), 'apiVersion: offerd/v1\nkind: Fixtures\ncases: []\n');
  const c = capture();
  t.is(await runCli(['test', dir], c.io), 1);
  t.regex(c.err.join('\n'), /demo[/\\]tests:1:1 no fixture case/);
  await rm(tests, { recursive: true });
  t.is(await runCli(['test', dir], capture().io), 1, 'no tests folder at all');
});

test('a fixture file that is a pipe or a device is refused, never read (CI would wait on it for ever)', async (t) => {
  const dir = await copyOfShippedRules(t);
  const fifo = path.join(dir, 'demo', 'tests', 'stdin.yaml');
  execFileSync('mkfifo', [fifo]);
  for (const command of ['test', 'validate']) {
    const c = capture();
    const done = runCli([command, dir], c.io);
    const hung = new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 15_000).unref());
    t.is(await Promise.race([done, hung]), 1, command);
    t.regex(c.err.join('\n') + c.out.join('\n'), /stdin\.yaml:1:1 is not a regular file/);
  }
});

test('fixture matchers are only the documented ones, and one that checks nothing fails', async (t) => {
  const dir = await copyOfShippedRules(t);
  const file = path.join(dir, 'demo', 'tests', 'banner.yaml');
  const shipped = await readFile(file, 'utf8');
  const ids = '      experimentId: champion-spotlight\n      variationId: 1\n';
  const segments = '      segments: { includes: [champion-player] }\n';
  t.true(shipped.includes(ids) && shipped.includes(segments));
  for (const [from, to, why] of [
    [
      ids,
      '      experimentId: { isPrototypeOf: not-this-one }\n      variationId: { hasOwnProperty: 7 }\n',
      /experimentId: not equal/,
    ],
    [segments, '      segments: { includes: [] }\n', /includes with no items checks nothing/],
  ] as const) {
    await writeFile(file, shipped.replace(from, to));
    const c = capture();
    t.is(await runCli(['test', dir, '--app', 'demo'], c.io), 1, to);
    t.regex(c.out.join('\n'), why);
  }
});
