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

/** Runs one CLI command; returns the exit code. Errors become one line, never a stack trace. */
export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === 'serve') {
    await import('../main.js').then((m) => m.main());
    return -1;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
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
