import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { loadConfig } from '../../config/load-config.js';
import { reportProblems } from '../../fixtures/reporters.js';
import { runJourneysGeneration } from '../../journeys/journeys-generation.js';
import { CliError, type CliIo } from '../cli-io.js';
import { loadRulesDir } from '../load-rules-dir.js';
import { openCliStore } from '../open-cli-store.js';

/**
 * `offerd journeys generate [--app ID] [--environment live|test]`: one generation run
 * against the configured store (OFFERD_STORE, OFFERD_DATA_DIR / DATABASE_URL) with the
 * rules on disk. On lowdb it is refused while a server holds the data dir (the embedded
 * store locks it: one process at a time); PostgreSQL is shared.
 */
export async function journeysCommand(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub.startsWith('-')) throw new CliError('needs a subcommand: generate');
  if (sub !== 'generate') throw new CliError(`unknown subcommand '${sub}' (subcommands: generate)`);
  const { values } = parseArgs({
    args: rest,
    options: { app: { type: 'string' }, environment: { type: 'string' } },
  });
  const env = values.environment;
  if (env !== undefined && env !== 'live' && env !== 'test') {
    throw new CliError(`--environment must be live or test (got '${env}')`);
  }
  const config = loadConfig();
  const apps = values.app ? config.apps.filter((a) => a.id === values.app) : config.apps;
  if (apps.length === 0) throw new CliError(`no app '${values.app}' in ${config.configPath}`);
  const store = await openCliStore(
    config,
    `POST /admin/apps/${values.app ?? '<app>'}/journeys/generate (admin token), or the button on the console's Operations page`,
  );
  try {
    let ran = 0;
    for (const app of apps) {
      const { apps: loaded, problems } = await loadRulesDir(config.rulesDir, app.id);
      const rules = loaded.get(app.id);
      if (!rules) {
        io.err(reportProblems(problems));
        return 1;
      }
      // An app without Journeys rules printed nothing and exited 0; the admin route's 404 says it.
      if (!rules.journeys) {
        if (values.app) throw new CliError(`no app '${app.id}' with Journeys rules in ${config.rulesDir}`);
        io.err(`${app.id}: skipped: no Journeys rules`);
        continue;
      }
      ran++;
      const report = await runJourneysGeneration(
        { store: store.journeys, now: () => new Date(), logger: pino({ level: 'silent' }) },
        { rules, trigger: 'cli', ...(env ? { environments: [env] } : {}) },
      );
      io.out(JSON.stringify(report, null, 2));
    }
    if (ran === 0) throw new CliError(`no app with Journeys rules in ${config.rulesDir}`);
    return 0;
  } finally {
    await store.flush();
    await store.close();
  }
}
