import { parseArgs } from 'node:util';
import { createCaseRunners } from '../../apis.js';
import type { AppConfig } from '../../config/config-types.js';
import { loadConfig } from '../../config/load-config.js';
import type { FixtureApi } from '../../fixtures/api-case-runner.js';
import {
  type ExplainContext,
  type Explanation,
  explainDecision,
  explainStoredUser,
  UserNotFoundError,
} from '../../fixtures/explain.js';
import { reportProblems } from '../../fixtures/reporters.js';
import type { AppRules } from '../../rules/app-rules.js';
import { appConfigFor } from '../app-config-for.js';
import { CliError, type CliIo } from '../cli-io.js';
import { loadRulesDir } from '../load-rules-dir.js';
import { openCliStore } from '../open-cli-store.js';
import { readDataFile } from '../read-data-file.js';
import { servingRules } from '../serving-rules.js';

const APIS = ['banner', 'offerwall', 'journeys'] as const satisfies readonly FixtureApi[];

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

async function readObject(file: string, what: string): Promise<Record<string, unknown>> {
  const value = await readDataFile(file);
  if (!isObject(value)) throw new CliError(`${file}: ${what} must be an object`);
  return value;
}

/** The APIs the app's rules define, or the one asked for (refused when the rules lack it). */
function apisOf(rules: AppRules, api: string | undefined): FixtureApi[] {
  const defined = APIS.filter((a) => rules[a] !== undefined && rules[a] !== null);
  if (api === undefined) return defined;
  if (!(APIS as readonly string[]).includes(api))
    throw new CliError(`--api must be one of ${APIS.join(', ')}`);
  if (!(defined as readonly string[]).includes(api))
    throw new CliError(`app '${rules.appId}' has no ${api} rules`);
  return [api as (typeof APIS)[number]];
}

/**
 * The admin route call that explains the same, for when the service holds the store. The
 * route explains one API a call: without --api, the hint names the choice. The offerwall's
 * needs `numoffers`, which the route (unlike this command) does not default: without it
 * the hint's call explained the offerwall's own 400 (a newcomer's walk).
 */
function serviceHint(appId: string, user: string, api: string | undefined, request: object): string {
  const offerwallRequest = JSON.stringify({ numoffers: 10, ...request });
  const body =
    api === undefined
      ? `{"api": "banner|offerwall|journeys", "user": ${JSON.stringify(user)}} (offerwall: with "request": ${offerwallRequest})`
      : JSON.stringify({
          api,
          user,
          ...(api === 'offerwall'
            ? { request: JSON.parse(offerwallRequest) }
            : Object.keys(request).length > 0
              ? { request }
              : {}),
        });
  return `POST /admin/apps/${appId}/explain with ${body} (admin token), or the console's Explain a player page`;
}

/**
 * A stored user under the rules the service serves (servingRules; the files in `rules`
 * when --rules names them), every API (or --api) that stored them; null when no rules load.
 */
async function explainUser(
  disk: AppRules | undefined,
  app: AppConfig,
  values: { user: string; api?: string; now?: string; request?: string; rules?: string },
  io: CliIo,
): Promise<Explanation[] | null> {
  if (values.now !== undefined && Number.isNaN(Date.parse(values.now))) {
    throw new CliError('--now must be an ISO 8601 date-time');
  }
  const request = values.request ? await readObject(values.request, 'the request') : {};
  const config = loadConfig();
  const store = await openCliStore(config, serviceHint(app.id, values.user, values.api, request));
  const runners = createCaseRunners();
  const found: Explanation[] = [];
  let apis: FixtureApi[] = [];
  // One try for everything read from the store: a return (no rules load) or a throw closes it
  // too (an early return left the store, and on PostgreSQL its pool, open).
  try {
    const where = { rulesDir: config.rulesDir, appId: app.id, running: config.store === 'postgres' };
    const serving = values.rules
      ? disk && { rules: disk, note: null }
      : await servingRules(store, where, disk);
    if (!serving) return null;
    if (serving.note) io.err(serving.note);
    const { rules } = serving;
    apis = apisOf(rules, values.api);
    for (const api of apis) {
      const query = {
        api,
        userId: values.user,
        // The offerwall takes no request without numoffers: the console's default, unless given.
        request:
          api === 'offerwall' && request.numoffers === undefined ? { numoffers: 10, ...request } : request,
        ...(values.now ? { now: new Date(values.now) } : {}),
      };
      try {
        const explained = await explainStoredUser(rules, app, store, query, runners);
        // Without --api, the APIs that store the user: the offerwall's answer for any uid
        // (stored: false) would make every unknown id an offerwall player.
        if (explained.user?.stored !== false || values.api) found.push(explained);
      } catch (err) {
        if (!(err instanceof UserNotFoundError) || values.api) throw err;
      }
    }
  } finally {
    await store.close();
  }
  if (found.length === 0) {
    // Which store was read: a wrong OFFERD_DATA_DIR reads as "no such user" otherwise.
    const where =
      config.store === 'lowdb'
        ? `the lowdb store in ${config.dataDir} (OFFERD_DATA_DIR)`
        : `the ${config.store} store`;
    // The offerwall stores a uid only from its first click or postback, yet serves any uid.
    const wall = apis.includes('offerwall')
      ? '; the offerwall stores a uid only once it clicks or gets a postback: --api offerwall explains its decision for any uid'
      : '';
    throw new UserNotFoundError(`no stored user '${values.user}' in app '${app.id}' in ${where}${wall}`);
  }
  return found;
}

/**
 * `offerd explain --app ID --user ID [--api API] [--rules DIR]`: a stored user's decisions
 * and why, as JSON; or `--context FILE` for a what-if context. See `offerd explain --help`.
 */
export async function explainCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      app: { type: 'string' },
      api: { type: 'string' },
      user: { type: 'string' },
      context: { type: 'string' },
      request: { type: 'string' },
      now: { type: 'string' },
      rules: { type: 'string' },
    },
  });
  if (!values.app || (!values.user && !values.context)) {
    throw new CliError('needs --app ID and --user ID (or --api API --context FILE)');
  }
  // The rules the service serves (OFFERD_RULES_DIR) unless told otherwise: a default of
  // ./rules explained a player under other rules than served them (account-manager probe).
  const { apps, problems } = await loadRulesDir(values.rules ?? loadConfig().rulesDir, values.app);
  const rules = apps.get(values.app);
  if (values.user && (rules || !values.rules)) {
    const config = loadConfig();
    const app = config.apps.find((a) => a.id === values.app);
    if (!app) throw new CliError(`no app '${values.app}' in ${config.configPath}`);
    if (!rules) io.err(reportProblems(problems));
    const explained = await explainUser(rules, app, { ...values, user: values.user }, io);
    if (!explained) return 1;
    io.out(JSON.stringify(explained.length === 1 ? explained[0] : explained, null, 2));
    return 0;
  }
  if (!rules) {
    io.err(reportProblems(problems));
    return 1;
  }
  const [api] = apisOf(rules, values.api ?? 'missing');
  const context = (await readObject(values.context as string, 'the context')) as unknown as ExplainContext;
  if (!isObject(context.request)) throw new CliError(`${values.context}: needs a 'request' object`);
  const explanation = await explainDecision(
    rules,
    appConfigFor(values.app),
    api as FixtureApi,
    context,
    createCaseRunners(),
    () => new Date(),
  );
  io.out(JSON.stringify(explanation, null, 2));
  return 0;
}
