import { readFile } from 'node:fs/promises';
import { ConfigError } from '../config/load-config.js';
import { ExplainInputError, UserNotFoundError } from '../fixtures/explain.js';
import { CliError, type CliIo, processIo } from './cli-io.js';
import { diffCommand } from './commands/diff.js';
import { explainCommand } from './commands/explain.js';
import { journeysCommand } from './commands/journeys.js';
import { keysCommand } from './commands/keys.js';
import { migrateCommand } from './commands/migrate.js';
import { storeCommand } from './commands/store.js';
import { testCommand } from './commands/test.js';
import { validateCommand } from './commands/validate.js';
import { HELP, helpFor } from './help.js';

type Command = (args: string[], io: CliIo) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  validate: validateCommand,
  test: testCommand,
  explain: explainCommand,
  diff: diffCommand,
  keys: keysCommand,
  journeys: journeysCommand,
  migrate: migrateCommand,
  store: storeCommand,
};

function usage(write: (line: string) => void): void {
  write('usage: offerd <command> [options]   (offerd <command> --help for one)\n');
  for (const help of Object.values(HELP)) write(`  offerd ${help.summary}`);
  write('\n  offerd serve                       start the service (same as npm start)');
  write('  offerd --version                   the release');
}

/** File-system errors about a path the caller gave: their mistake, not ours. */
const PATH_ERRORS = new Set(['ENOENT', 'ENOTDIR', 'EACCES', 'EISDIR']);

/** Whether an error is the caller's doing (exit 2) rather than a fault of offerd (exit 1). */
function isUserError(err: unknown): boolean {
  if (
    err instanceof CliError ||
    err instanceof ConfigError ||
    err instanceof ExplainInputError ||
    err instanceof UserNotFoundError
  ) {
    return true;
  }
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('ERR_PARSE_ARGS') || PATH_ERRORS.has(code));
}

const PATH_MESSAGES: Record<string, string> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'not a directory',
  EACCES: 'permission denied',
  EISDIR: 'a directory, not a file',
};

/** The one line a user reads: Node's parseArgs advice and errno prefixes trimmed to what matters. */
function oneLine(err: unknown): string {
  const { code, path } = err as { code?: unknown; path?: unknown };
  if (typeof code === 'string' && typeof path === 'string' && PATH_MESSAGES[code]) {
    return `${PATH_MESSAGES[code]}: '${path}'`;
  }
  const message = (err instanceof Error ? err.message : String(err)).trim().split('\n').join('; ');
  // "Unknown option '--x'. To specify a positional argument starting with a '-', place it…": the first sentence says it.
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) return message.replace(/\. .*$/, '');
  return message;
}

const SERVE_HELP = `usage: offerd serve   (what npm start runs)

Starts the service. It takes no options: the config file and the environment set it up.
  OFFERD_CONFIG       the config file (default config/offerd.yaml)
  PORT, HOST          where it listens (default 8080 on every address)
  OFFERD_STORE        lowdb (default), postgres (with DATABASE_URL) or memory
  OFFERD_DATA_DIR     the lowdb data directory (default data)
  OFFERD_RULES_DIR    the rule files (default rules)
  OFFERD_ADMIN_TOKEN  the admin token (overrides the config's)
  LOG_LEVEL           pino's level (default info)
Stop it with SIGTERM or SIGINT: it finishes the requests in flight. docs/configuration.md lists every setting.`;

/** The release, from package.json (one level above src/ and dist/). */
async function version(): Promise<string> {
  const text = await readFile(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

/** Runs one CLI command; returns the exit code. Errors become one line, never a stack trace. */
export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === 'serve') {
    // An operator check ran `offerd serve --help` and got a service on 0.0.0.0:8080 and a ./data.
    if (args.length > 0) {
      const help = args.length === 1 && (args[0] === '--help' || args[0] === '-h');
      (help ? io.out : io.err)(
        help ? SERVE_HELP : `offerd serve takes no options, got '${args.join(' ')}' (offerd serve --help)`,
      );
      return help ? 0 : 2;
    }
    await import('../main.js').then((m) => m.main());
    return -1;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    io.out(`offerd ${await version()}`);
    return 0;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    // `offerd help serve` is `offerd serve --help` (it printed the general usage).
    const [topic] = args;
    if (topic === 'serve') return runCli(['serve', '--help'], io);
    if (topic && COMMANDS[topic]) return runCli([topic, '--help'], io);
    usage(io.out);
    return 0;
  }
  if (!name) {
    usage(io.err);
    return 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(
      `offerd: unknown command '${name}' (commands: ${Object.keys(COMMANDS).join(', ')}, serve; offerd --help)`,
    );
    return 2;
  }
  const help = helpFor(name, args);
  if (help) {
    io.out(help);
    return 0;
  }
  try {
    return await command(args, io);
  } catch (err) {
    const message = oneLine(err);
    if (isUserError(err)) {
      io.err(`offerd ${name}: ${message} (offerd ${name} --help)`);
      return 2;
    }
    io.err(`offerd ${name}: ${message}`);
    if (process.env.OFFERD_DEBUG && err instanceof Error && err.stack) io.err(err.stack);
    return 1;
  }
}
