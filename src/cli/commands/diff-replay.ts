import { createCaseRunners } from '../../apis.js';
import { loadConfig } from '../../config/load-config.js';
import type { FixtureApi } from '../../fixtures/api-case-runner.js';
import { fixturesGate } from '../../fixtures/fixtures-gate.js';
import {
  DEFAULT_REPLAY_LIMIT,
  MAX_REPLAY_LIMIT,
  recentDecisions,
  sampleText,
} from '../../fixtures/recent-decisions.js';
import { replayImpact } from '../../fixtures/replay-impact.js';
import { reportProblems } from '../../fixtures/reporters.js';
import { servesFixtureApi } from '../../required-kinds.js';
import { openDecisionLog } from '../../store/decisions/open-decision-log.js';
import { CliError, type CliIo } from '../cli-io.js';
import { impactText } from '../impact-text.js';
import { loadRulesDir } from '../load-rules-dir.js';
import { openCliStore } from '../open-cli-store.js';

const APIS: readonly string[] = ['banner', 'offerwall', 'journeys'];
/** Fixture failures shown, as the admin impact route shows them. */
const SHOWN_FAILURES = 20;

export interface ReplayOptions {
  app?: string;
  api?: string;
  /** As typed: the most recent N decisions per API. */
  limit?: string;
  json?: boolean;
  /** [LIVE_DIR] CANDIDATE_DIR: the live rules default to the configured rules directory. */
  dirs: readonly string[];
}

/** `--limit N`: a whole number from 1 to MAX_REPLAY_LIMIT; absent, the default. */
function replayLimit(typed: string | undefined): number {
  if (typed === undefined) return DEFAULT_REPLAY_LIMIT;
  const n = Number(typed);
  if (!/^\d+$/.test(typed) || n < 1 || n > MAX_REPLAY_LIMIT) {
    throw new CliError(`--limit must be a whole number from 1 to ${MAX_REPLAY_LIMIT}`);
  }
  return n;
}

/**
 * `offerd diff --replay --app ID [LIVE_DIR] CANDIDATE_DIR`: the app's recorded decisions,
 * read from the configured store's decision log, re-decided under the live and the
 * candidate rules, printed in business numbers (or `--json`, the admin route's report).
 */
export async function replayCommand(options: ReplayOptions, io: CliIo): Promise<number> {
  const { app: appId, api } = options;
  if (!appId) throw new CliError('--replay needs --app ID');
  if (api !== undefined && !APIS.includes(api)) throw new CliError(`--api must be one of ${APIS.join(', ')}`);
  const limit = replayLimit(options.limit);
  if (options.dirs.length < 1 || options.dirs.length > 2) {
    throw new CliError('--replay needs CANDIDATE_DIR (and optionally the live rules dir before it)');
  }
  const config = loadConfig();
  const app = config.apps.find((a) => a.id === appId);
  if (!app) throw new CliError(`no app '${appId}' in ${config.configPath}`);
  const [liveDir, candidateDir] =
    options.dirs.length === 2 ? options.dirs : [config.rulesDir, options.dirs[0] as string];
  const live = await loadRulesDir(liveDir as string, appId);
  const candidate = await loadRulesDir(candidateDir as string, appId);
  const problems = [...live.problems, ...candidate.problems];
  const [serving, next] = [live.apps.get(appId), candidate.apps.get(appId)];
  if (problems.length > 0 || !serving || !next) {
    io.err(reportProblems(problems));
    return 1;
  }
  const store = await openCliStore(
    config,
    `POST /admin/apps/${appId}/impact with the candidate folder (admin token), or the console's Impact of a change page`,
  );
  try {
    const log = await openDecisionLog(config, store);
    const { decisions, sample } = await recentDecisions(
      log,
      appId,
      api as FixtureApi | undefined,
      limit,
      config.decisionLog.sampleRate,
    );
    await log.close();
    const report = await replayImpact(decisions, serving, next, app, createCaseRunners());
    // Would it go live? The fixtures gate of a reload, as the admin route answers it: without
    // it a candidate a reload refuses read as a change ready to ship (newcomer probe).
    const failures = config.rules.fixturesGate
      ? await fixturesGate(
          candidateDir as string,
          config.apps,
          createCaseRunners(),
          servesFixtureApi,
        )(appId, next)
      : null;
    const fixtures = failures ? { fixtures: { failures: failures.slice(0, SHOWN_FAILURES) } } : {};
    if (options.json) {
      io.out(JSON.stringify({ appId, decisions: decisions.length, sample, ...fixtures, ...report }, null, 2));
    } else {
      const short = (hash: string) => hash.slice(0, 12);
      if (failures && failures.length > 0) {
        io.out(`A reload would refuse this candidate: ${failures.length} fixture(s) fail`);
        for (const f of failures.slice(0, SHOWN_FAILURES)) io.out(`  ${f}`);
      }
      io.out(`app ${appId}: live rules ${short(serving.hash)} -> candidate ${short(next.hash)}`);
      io.out(sampleText(sample));
      for (const line of impactText(report, 'recorded decisions', sample.rate)) io.out(line);
    }
  } finally {
    await store.close();
  }
  return 0;
}
