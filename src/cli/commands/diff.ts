import { isDeepStrictEqual, parseArgs } from 'node:util';
import { createCaseRunners } from '../../apis.js';
import type { AppConfig } from '../../config/config-types.js';
import type { FixtureApi } from '../../fixtures/api-case-runner.js';
import { type ExplainContext, explainDecision } from '../../fixtures/explain.js';
import { loadFixtures } from '../../fixtures/fixture-file.js';
import { ImpactTally } from '../../fixtures/replay-impact.js';
import { reportProblems } from '../../fixtures/reporters.js';
import type { AppRules } from '../../rules/app-rules.js';
import { appConfigFor } from '../app-config-for.js';
import { CliError, type CliIo } from '../cli-io.js';
import { readContexts } from '../contexts-file.js';
import { impactText } from '../impact-text.js';
import { loadRulesDir } from '../load-rules-dir.js';
import { replayCommand } from './diff-replay.js';

export interface Subject extends ExplainContext {
  appId: string;
  api: FixtureApi;
  name: string;
}

/** Fixture users of both rule sets (by name, the new one wins) and sample contexts from a file. */
async function subjects(
  dirs: readonly string[],
  appIds: string[],
  contextsFile: string | undefined,
  app: string | undefined,
): Promise<Subject[]> {
  const byKey = new Map<string, Subject>();
  for (const dir of dirs) {
    for (const appId of appIds) {
      for (const c of (await loadFixtures(dir, appId)).cases) {
        byKey.set(`${appId}/${c.api}/${c.name}`, { ...c, appId });
      }
    }
  }
  if (contextsFile) {
    for (const s of await readContexts(contextsFile, app)) byKey.set(`${s.appId}/${s.api}/${s.name}`, s);
  }
  return [...byKey.values()];
}

const show = (v: unknown): string => JSON.stringify(v);

/** Outcome keys restating others (the shown offers' figures restate offerIds): in the summary, not per user. */
const RESTATED_KEYS: ReadonlySet<string> = new Set(['topOffers']);

/**
 * `offerd diff OLD_DIR NEW_DIR [--contexts FILE]`: what the change does to each user,
 * then the same summary as the replay; `--replay`: on the recorded decisions instead.
 * Exit 0 whatever changed; 1 only when a rule set is invalid.
 */
export async function diffCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      contexts: { type: 'string' },
      app: { type: 'string' },
      replay: { type: 'boolean' },
      api: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  if (values.replay) {
    if (values.contexts) throw new CliError('--contexts is for the fixture diff, not --replay');
    return replayCommand({ ...values, dirs: positionals }, io);
  }
  if (values.api || values.json || values.limit) {
    throw new CliError('--api, --limit and --json go with --replay');
  }
  const [oldDir, newDir] = positionals;
  if (!oldDir || !newDir || positionals.length > 2) throw new CliError('needs OLD_DIR and NEW_DIR');
  const before = await loadRulesDir(oldDir, values.app);
  const after = await loadRulesDir(newDir, values.app);
  const problems = [...before.problems, ...after.problems];
  if (problems.length > 0) {
    io.err(reportProblems(problems));
    return 1;
  }
  const runners = createCaseRunners();
  const appIds = [...new Set([...before.apps.keys(), ...after.apps.keys()])].sort();
  const changedKeys = new Map<string, number>();
  let changed = 0;
  const list = await subjects([before.rulesDir, after.rulesDir], appIds, values.contexts, values.app);
  const tally = new ImpactTally();
  // The config once per app, not once per fixture user (it is read and validated each time).
  const configs = new Map(appIds.map((id) => [id, appConfigFor(id)]));
  for (const s of list) {
    const app = configs.get(s.appId) ?? appConfigFor(s.appId);
    const lines = await compare(s, app, before.apps.get(s.appId), after.apps.get(s.appId), runners, tally);
    if (lines.length === 0) continue;
    changed++;
    io.out(`~ [${s.appId}/${s.api}] ${s.name}`);
    for (const { key, line } of lines) {
      io.out(`    ${line}`);
      changedKeys.set(key, (changedKeys.get(key) ?? 0) + 1);
    }
  }
  const byKey = [...changedKeys].map(([k, n]) => `${k} ${n}`).join(', ');
  io.out(`${changed} of ${list.length} users changed${byKey ? ` (${byKey})` : ''}`);
  for (const line of impactText(tally.report(), 'fixture users')) io.out(line);
  return 0;
}

async function compare(
  s: Subject,
  app: AppConfig,
  oldRules: AppRules | undefined,
  newRules: AppRules | undefined,
  runners: ReturnType<typeof createCaseRunners>,
  tally: ImpactTally,
): Promise<{ key: string; line: string }[]> {
  if (!oldRules || !newRules) return [{ key: 'app', line: `app ${oldRules ? 'removed' : 'added'}` }];
  let failure: string | null = null;
  let now: string | undefined;
  const run = async (rules: AppRules) => {
    try {
      const explained = await explainDecision(rules, app, s.api, s, runners);
      now = explained.now;
      return explained.decision;
    } catch (err) {
      failure = (err as Error).message;
      return { error: failure } as Record<string, unknown>;
    }
  };
  const [a, b] = [await run(oldRules), await run(newRules)];
  // The summary counts users both rule sets could decide, as the replay does.
  if (failure !== null) tally.skip(failure);
  else tally.add(s.api, a, b, now === undefined ? {} : { now });
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys
    .filter((k) => !RESTATED_KEYS.has(k) && !isDeepStrictEqual(a[k], b[k]))
    .map((k) => ({ key: k, line: `${k}: ${show(a[k])} -> ${show(b[k])}` }));
}
