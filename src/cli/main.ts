import { type CliIo, processIo } from './cli-io.js';
import { diffCommand } from './commands/diff.js';
import { explainCommand } from './commands/explain.js';
import { journeysCommand } from './commands/journeys.js';
import { keysCommand } from './commands/keys.js';
import { migrateCommand } from './commands/migrate.js';
import { storeCommand } from './commands/store.js';
import { testCommand } from './commands/test.js';
import { validateCommand } from './commands/validate.js';

type Command = (args: string[], io: CliIo) => Promise<number>;

const COMMANDS: Record<string, { run: Command; usage: string }> = {
  validate: {
    run: validateCommand,
    usage: 'validate [dir]                     check rule files; exit 1 on any problem',
  },
  test: {
    run: testCommand,
    usage: 'test [dir] [--app ID] [--reporter pretty|tap|junit]   run fixture cases',
  },
  explain: { run: explainCommand, usage: 'explain --app ID --api API --context FILE   the decision and why' },
  diff: {
    run: diffCommand,
    usage: 'diff OLD_DIR NEW_DIR [--contexts FILE]   what a rules change does to users',
  },
  keys: { run: keysCommand, usage: 'keys hash <key>                    the hash to put in config' },
  journeys: {
    run: journeysCommand,
    usage: 'journeys generate [--app ID] [--environment live|test]   one offer generation run',
  },
  migrate: {
    run: migrateCommand,
    usage: 'migrate                            apply PostgreSQL migrations (DATABASE_URL)',
  },
  store: {
    run: storeCommand,
    usage: 'store copy|compare --from lowdb|postgres --to lowdb|postgres   move a store, compare two',
  },
};

function usage(io: CliIo): void {
  io.err('usage: offerd <command> [options]\n');
  for (const [, c] of Object.entries(COMMANDS)) io.err(`  offerd ${c.usage}`);
  io.err('\n  offerd serve                       start the service (same as npm start)');
}

/** Runs one CLI command; returns the exit code. */
export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === 'serve') {
    await import('../main.js').then((m) => m.main());
    return -1;
  }
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    usage(io);
    return 2;
  }
  return command.run(args, io);
}
