import { parseArgs } from 'node:util';
import { createCaseRunners } from '../../apis.js';
import type { FixtureApi } from '../../fixtures/api-case-runner.js';
import { type ExplainContext, explainDecision } from '../../fixtures/explain.js';
import { reportProblems } from '../../fixtures/reporters.js';
import { appConfigFor } from '../app-config-for.js';
import type { CliIo } from '../cli-io.js';
import { loadRulesDir } from '../load-rules-dir.js';
import { readDataFile } from '../read-data-file.js';

const APIS: FixtureApi[] = ['banner', 'offerwall', 'journeys'];

/** `offerd explain --app ID --api API --context FILE [--rules DIR]`: the decision and why, as JSON. */
export async function explainCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      app: { type: 'string' },
      api: { type: 'string' },
      context: { type: 'string' },
      rules: { type: 'string', default: 'rules' },
    },
  });
  const api = values.api as FixtureApi;
  if (!values.app || !APIS.includes(api) || !values.context) {
    io.err('usage: offerd explain --app ID --api banner|offerwall|journeys --context FILE [--rules DIR]');
    return 2;
  }
  const { apps, problems } = await loadRulesDir(values.rules, values.app);
  const rules = apps.get(values.app);
  if (!rules) {
    io.err(reportProblems(problems));
    return 1;
  }
  const context = (await readDataFile(values.context)) as ExplainContext;
  if (!context || typeof context.request !== 'object') {
    io.err(`${values.context}: needs a 'request' object (and optional 'state', 'now')`);
    return 2;
  }
  const explanation = await explainDecision(
    rules,
    appConfigFor(values.app),
    api,
    context,
    createCaseRunners(),
  );
  io.out(JSON.stringify(explanation, null, 2));
  return 0;
}
