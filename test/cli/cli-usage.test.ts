import { readFile, writeFile } from 'node:fs/promises';
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

// Each command's and subcommand's --help: test/cli/cli-errors.test.ts (from the help table).
test('--help on offerd itself lists the commands', async (t) => {
  const top = capture();
  t.is(await runCli(['--help'], top.io), 0);
  t.regex(top.out.join('\n'), /offerd explain --app ID --user ID/);
});

// Operator check: `offerd serve --help` started the service on 0.0.0.0:8080 and made ./data.
test('offerd serve --help prints how the service is set up, serve with options is refused, --version names the release', async (t) => {
  const help = capture();
  t.is(await runCli(['serve', '--help'], help.io), 0);
  t.regex(help.out.join('\n'), /usage: offerd serve .*\n[\s\S]*OFFERD_DATA_DIR/);
  const options = capture();
  t.is(await runCli(['serve', '--port', '9999'], options.io), 2);
  t.deepEqual(options.err, ["offerd serve takes no options, got '--port 9999' (offerd serve --help)"]);
  const asHelp = capture();
  t.is(await runCli(['help', 'serve'], asHelp.io), 0);
  t.deepEqual(asHelp.out, help.out, 'offerd help serve is offerd serve --help');
  const version = capture();
  t.is(await runCli(['--version'], version.io), 0);
  const { version: release } = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
  t.deepEqual(version.out, [`offerd ${release}`]);
});

test('user mistakes are one line and exit 2, never a stack trace', async (t) => {
  const cases: [string[], RegExp][] = [
    [['validate', 'no-such-dir'], /no rules directory 'no-such-dir'/],
    [['test', 'rules', '--app', 'nope'], /no app 'nope' in rules \(apps: demo\)/],
    [['diff', 'rules', 'rules', '--bogus'], /bogus/],
    [['explain', '--app', 'demo'], /needs --app ID and --user ID/],
    [['explain', '--app', 'nope', '--user', 'u-1'], /no app 'nope'/],
    [['test', 'rules', '--reporter', 'xml'], /unknown reporter 'xml'/],
  ];
  for (const [argv, message] of cases) {
    const c = capture();
    t.is(await runCli(argv, c.io), 2, argv.join(' '));
    t.is(c.err.length, 1, `${argv.join(' ')}: ${c.err.join('\n')}`);
    t.regex(c.err[0] as string, message);
    t.notRegex(c.err[0] as string, /\n\s+at /);
  }
});

test('validate takes one app folder with its tests/, and reports a broken fixture file', async (t) => {
  const ok = capture();
  t.is(await runCli(['validate', 'rules/demo'], ok.io), 0, ok.err.join('\n'));
  t.regex(ok.out.join('\n'), /^demo: ok/m);
  const dir = await copyOfShippedRules(t);
  await writeFile(
    path.join(dir, 'demo', 'tests', 'broken.yaml'),
    'apiVersion: offerd/v1\nkind: Fixtures\ncases:\n  - name: x\n    api: bannner\n    request: {}\n    expect: {status: 200}\n',
  );
  const bad = capture();
  t.is(await runCli(['validate', path.join(dir, 'demo')], bad.io), 1);
  t.regex(bad.err.join('\n'), /broken\.yaml:5:\d+/);
});

test('diff --contexts: a Fixtures file with --app and a list without appId work; other shapes are refused', async (t) => {
  const dir = await tempDir(t);
  const fixtures = path.join(dir, 'fixtures.yaml');
  await writeFile(fixtures, await readFile('rules/demo/tests/offerwall.yaml', 'utf8'));
  const withApp = capture();
  t.is(await runCli(['diff', 'rules', 'rules', '--app', 'demo', '--contexts', fixtures], withApp.io), 0);
  t.regex(withApp.out.join('\n'), /^0 of \d+ users changed/m);
  const list = path.join(dir, 'list.json');
  await writeFile(list, JSON.stringify([{ api: 'offerwall', name: 'x', request: { uid: 'u', wall: 1001 } }]));
  const noApp = capture();
  t.is(await runCli(['diff', 'rules', 'rules', '--contexts', list], noApp.io), 2);
  t.regex(noApp.err.join('\n'), /entry 1: needs appId \(or give --app ID\)/);
  for (const [content, message] of [
    ['{"kind":"Other"}', /expected a list of contexts or a Fixtures file/],
    ['[{"appId":"demo","api":"shop","name":"x","request":{}}]', /entry 1: api must be one of/],
    [
      '[{"appId":"demo","api":"banner","name":"x","request":{},"extra":1}]',
      /entry 1: unknown key\(s\) extra/,
    ],
  ] as const) {
    await writeFile(list, content);
    const c = capture();
    t.is(await runCli(['diff', 'rules', 'rules', '--contexts', list], c.io), 2, content);
    t.regex(c.err.join('\n'), message);
  }
});

test('diff --help documents --replay, --api, --limit and --json; --replay without --app or a candidate, or with a limit out of range, is a usage error', async (t) => {
  const help = capture();
  t.is(await runCli(['diff', '--replay', '--help'], help.io), 0);
  const text = help.out.join('\n');
  t.regex(
    text,
    /offerd diff --replay --app ID \[--api API\] \[--limit N\] \[--json\] \[LIVE_DIR\] CANDIDATE_DIR/,
  );
  t.regex(text, /--json +with --replay/);
  t.regex(
    text,
    /--limit N +with --replay: the most recent N recorded decisions of each API\s+\(default 2000, at most 10000\)/,
  );
  for (const bad of ['0', '10001', '2.5', 'many']) {
    const c = capture();
    t.is(await runCli(['diff', '--replay', '--app', 'demo', '--limit', bad, 'rules'], c.io), 2, bad);
    t.deepEqual(c.err, ['offerd diff: --limit must be a whole number from 1 to 10000 (offerd diff --help)']);
  }
  const limitAlone = capture();
  t.is(await runCli(['diff', 'rules', 'rules', '--limit', '5'], limitAlone.io), 2);
  const noApp = capture();
  t.is(await runCli(['diff', '--replay', 'rules'], noApp.io), 2);
  t.deepEqual(noApp.err, ['offerd diff: --replay needs --app ID (offerd diff --help)']);
  const noDir = capture();
  t.is(await runCli(['diff', '--replay', '--app', 'demo'], noDir.io), 2);
  t.regex(noDir.err.join('\n'), /needs CANDIDATE_DIR/);
  const jsonAlone = capture();
  t.is(await runCli(['diff', 'rules', 'rules', '--json'], jsonAlone.io), 2);
});

// Focused check: `offerd serve -h | head -3` ended in an unhandled EPIPE stack trace.
test('output into a pipe closed early ends quietly, no stack trace', async (t) => {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['bin/offerd.js', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  t.is(stderr, '');
  t.is(code, 0);
});
