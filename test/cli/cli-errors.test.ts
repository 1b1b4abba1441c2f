import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { HELP as COMMAND_HELP } from '../../src/cli/help.js';
import { runCli } from '../../src/cli/main.js';
import { tempDir } from '../helpers/temp-dir.js';

const STACK_LINE = /^\s+at\s/m;

/**
 * Runs the CLI in this process with its io captured, and everything else written to the
 * process streams meanwhile (a library's console.error, a stray stack) captured too.
 */
async function cli(argv: string[]): Promise<{ code: number; out: string[]; err: string[]; stray: string }> {
  const out: string[] = [];
  const err: string[] = [];
  let stray = '';
  const writes = { out: process.stdout.write, err: process.stderr.write };
  const grab = (chunk: unknown): boolean => {
    stray += String(chunk);
    return true;
  };
  process.stdout.write = grab as typeof process.stdout.write;
  process.stderr.write = grab as typeof process.stderr.write;
  try {
    const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out, err, stray };
  } finally {
    process.stdout.write = writes.out;
    process.stderr.write = writes.err;
  }
}

/** Every command and subcommand, from the help table itself: a new one is covered without editing this test. */
const HELP: string[][] = Object.entries(COMMAND_HELP).flatMap(([name, h]) => [
  [name],
  ...Object.keys(h.subcommands ?? {}).map((sub) => [name, sub]),
]);

/** Every command's user mistakes: [argv, what the one line must say]. */
const MISTAKES: [string[], RegExp][] = [
  [['validate', '--bogus'], /^offerd validate: Unknown option '--bogus' \(offerd validate --help\)$/],
  [['validate', 'no-such-dir'], /^offerd validate: no rules directory 'no-such-dir'/],
  [['validate', 'rules', '--app', 'nope'], /^offerd validate: no app 'nope' in rules \(apps: demo\)/],
  [['validate', 'rules/demo', '--app', 'other'], /is the folder of app 'demo', not 'other'/],
  [['validate', 'rules', '--app'], /^offerd validate: Option '--app <value>' argument missing/],
  [['test', '--bogus'], /^offerd test: Unknown option '--bogus'/],
  [['test', 'no-such-dir'], /^offerd test: no rules directory 'no-such-dir'/],
  [['test', 'rules', '--app', 'nope'], /^offerd test: no app 'nope'/],
  [['test', 'rules', '--reporter', 'xml'], /^offerd test: unknown reporter 'xml'/],
  [['explain', '--bogus'], /^offerd explain: Unknown option '--bogus'/],
  [['explain', '--app', 'demo'], /needs --app ID and --user ID/],
  [['explain', '--app', 'nope', '--user', 'u-1'], /^offerd explain: no app 'nope'/],
  [
    ['explain', '--app', 'demo', '--user', 'nobody'],
    /^offerd explain: no stored user 'nobody' in app 'demo'/,
  ],
  [
    ['explain', '--app', 'demo', '--user', 'u-1', '--api', 'shop'],
    /--api must be one of banner, offerwall, journeys/,
  ],
  [
    ['explain', '--app', 'demo', '--user', 'u-1', '--rules', 'no-such-dir'],
    /no rules directory 'no-such-dir'/,
  ],
  [
    ['explain', '--app', 'demo', '--user', 'u-1', '--now', 'yesterday'],
    /--now must be an ISO 8601 date-time/,
  ],
  [
    ['explain', '--app', 'demo', '--api', 'banner', '--context', 'no-such.json'],
    /^offerd explain: no such file or directory: 'no-such.json'/,
  ],
  [['diff', '--bogus'], /^offerd diff: Unknown option '--bogus'/],
  [['diff', 'rules'], /^offerd diff: needs OLD_DIR and NEW_DIR/],
  [['diff', 'no-such-dir', 'rules'], /^offerd diff: no rules directory 'no-such-dir'/],
  [['diff', 'rules', 'rules', '--app', 'nope'], /^offerd diff: no app 'nope'/],
  [['diff', 'rules', 'rules', '--app'], /^offerd diff: Option '--app <value>' argument missing/],
  [['diff', 'rules', 'rules', '--contexts', 'no-such.yaml'], /no such file or directory: 'no-such.yaml'/],
  [['keys'], /^offerd keys: needs a subcommand: hash/],
  [['keys', 'rotate'], /^offerd keys: unknown subcommand 'rotate' \(subcommands: hash\)/],
  [['keys', 'hash'], /^offerd keys: hash needs <key>/],
  [['keys', 'hash', '--bogus'], /^offerd keys: Unknown option '--bogus'/],
  [['journeys'], /^offerd journeys: needs a subcommand: generate/],
  [['journeys', 'run'], /^offerd journeys: unknown subcommand 'run'/],
  [['journeys', 'generate', '--bogus'], /^offerd journeys: Unknown option '--bogus'/],
  [['journeys', 'generate', '--app', 'nope'], /^offerd journeys: no app 'nope' in .*offerd\.yaml/],
  [['journeys', 'generate', '--environment', 'staging'], /--environment must be live or test/],
  [['migrate', '--bogus'], /^offerd migrate: Unknown option '--bogus'/],
  [['migrate', 'now'], /^offerd migrate: Unexpected argument 'now'/],
  [['store'], /^offerd store: needs a subcommand: copy or compare/],
  [['store', 'move'], /^offerd store: unknown subcommand 'move'/],
  [['store', 'copy', '--bogus'], /^offerd store: Unknown option '--bogus'/],
  [['store', 'copy'], /^offerd store: needs --from and --to/],
  [['store', 'copy', '--from', 'mysql', '--to', 'lowdb'], /unknown store 'mysql' \(lowdb or postgres\)/],
  [
    ['store', 'compare', '--from', 'lowdb', '--from-dir', 'no-such-dir', '--to', 'lowdb'],
    /no data directory/,
  ],
  [['frobnicate'], /^offerd: unknown command 'frobnicate'/],
];

test.before(async () => {
  // An empty embedded store: explain finds no user in it; nothing reaches PostgreSQL.
  process.env.OFFERD_STORE = 'lowdb';
  process.env.OFFERD_DATA_DIR = await mkdtemp(path.join(os.tmpdir(), 'offerd-cli-'));
  delete process.env.DATABASE_URL;
});

test.after.always(() => rm(process.env.OFFERD_DATA_DIR as string, { recursive: true, force: true }));

test.serial('every command and subcommand answers --help and -h: its usage on stdout, exit 0', async (t) => {
  for (const argv of HELP) {
    for (const flag of ['--help', '-h']) {
      const r = await cli([...argv, flag]);
      t.is(r.code, 0, argv.join(' '));
      t.regex(r.out.join('\n'), new RegExp(`^usage: offerd ${argv.join(' ')}`), argv.join(' '));
      t.is(r.stray, '', argv.join(' '));
    }
  }
});

test.serial('every user mistake of every command is one line, exit 2, no stack trace', async (t) => {
  const commands = new Set(MISTAKES.map(([argv]) => argv[0]));
  t.true(
    HELP.every(([name]) => commands.has(name)),
    'the table covers every command',
  );
  for (const [argv, message] of MISTAKES) {
    const r = await cli(argv);
    const label = `offerd ${argv.join(' ')}: ${[...r.err, r.stray].join(' | ')}`;
    t.is(r.code, 2, label);
    t.is(r.err.length, 1, label);
    t.regex(r.err[0] ?? '', message, label);
    t.notRegex(r.err.join('\n') + r.stray, STACK_LINE, label);
    t.is(r.stray, '', label);
    t.deepEqual(r.out, [], label);
  }
});

test.serial('--contexts of an unknown shape is refused in one line naming what is wrong', async (t) => {
  const file = path.join(await tempDir(t), 'contexts.json');
  for (const [content, message] of [
    ['{"kind":"Other"}', /expected a list of contexts or a Fixtures file/],
    ['"just text"', /expected a list of contexts or a Fixtures file/],
    ['[{"appId":"demo","api":"banner","name":"x"}]', /entry 1: /],
    // Not YAML at all: the file, line and column, as a rule file's problems are named.
    ['ok: 1\nnot: [valid\n', /contexts\.json:3:1: not YAML or JSON: /],
  ] as const) {
    await writeFile(file, content);
    const r = await cli(['diff', 'rules', 'rules', '--contexts', file]);
    t.is(r.code, 2, content);
    t.is(r.err.length, 1, r.err.join('\n'));
    t.regex(r.err[0] ?? '', message, content);
  }
});

test('the installed binary answers the same: usage for --help, one line and exit 2 for a mistake', async (t) => {
  const run = (args: string[]) =>
    promisify(execFile)(process.execPath, ['bin/offerd.js', ...args], { timeout: 60_000 }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({
        code: e.code,
        stdout: e.stdout,
        stderr: e.stderr,
      }),
    );
  const [help, missing] = await Promise.all([run(['validate', '--help']), run(['validate', 'no-such-dir'])]);
  t.is(help.code, 0);
  t.regex(help.stdout, /^usage: offerd validate/);
  t.is(missing.code, 2);
  t.is(missing.stderr, "offerd validate: no rules directory 'no-such-dir' (offerd validate --help)\n");
  t.notRegex(missing.stderr, STACK_LINE);
});
