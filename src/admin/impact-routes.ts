import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { AppConfig } from '../config/config-types.js';
import type { ApiCaseRunner, FixtureApi } from '../fixtures/api-case-runner.js';
import { DEFAULT_REPLAY_LIMIT, type ReplaySample, recentDecisions } from '../fixtures/recent-decisions.js';
import { type ImpactReport, replayImpact } from '../fixtures/replay-impact.js';
import type { ApiRouter } from '../http/api-router.js';
import { AppError, invalidInput } from '../http/app-error.js';
import type { RulesSource } from '../http/feature.js';
import { RequestSchemas } from '../http/request-schema.js';
import type { AppRules } from '../rules/app-rules.js';
import { formatProblem, type Problem } from '../rules/problems.js';
import type { DecisionLog } from '../store/decisions/decision-log.js';
import { impactBodySchema } from './impact-schema.js';

/** One app's rules loaded from a rules directory by the server's own loader, or why not. */
export type LoadedCandidate = { ok: true; rules: AppRules } | { ok: false; problems: Problem[] };

export interface ImpactDeps {
  rules: RulesSource;
  apps: readonly AppConfig[];
  runners: ReadonlyMap<FixtureApi, ApiCaseRunner>;
  /** The decision log of the store the service runs on (what serving recorded). */
  decisions: DecisionLog;
  /** The decision log's sample rate in force (decisionLog.sampleRate), named in the answer. */
  sampleRate: number;
  /** Where the app's live files are: `source: pending` replays what is on disk there. */
  rulesDir: string;
  load(rulesDir: string, appId: string): Promise<LoadedCandidate>;
  /** The reload's fixtures gate for a rules directory, when it is on: its failures (none: it passes). */
  gate?: (rulesDir: string, appId: string, rules: AppRules) => Promise<string[]>;
}

interface ImpactBody {
  source?: 'pending';
  rules?: string;
  api?: FixtureApi;
  limit?: number;
}

/** The impact answer: which rules were compared, on how many recorded decisions, and the report. */
export interface ImpactAnswer extends ImpactReport {
  appId: string;
  live: { version: string; hash: string };
  candidate: { source: 'pending' | 'rules'; rulesDir: string; version: string; hash: string };
  /** Recorded decisions read from the log (replayed + skipped). */
  decisions: number;
  /**
   * Which ones: the most recent `limitPerApi` of each API, whether older ones were left out,
   * and the sample `rate` they were recorded at.
   */
  sample: ReplaySample;
  /**
   * With the fixtures gate on: its failures for the candidate (at most SHOWN_PROBLEMS). A
   * prediction for files a reload would refuse read as a change about to happen (account-
   * manager probe: a draft failing 5 fixtures was reported like any other).
   */
  fixtures?: { failures: string[] };
}

/** Problems of a candidate that does not load: each as `file:line:col message`, at most this many. */
const SHOWN_PROBLEMS = 20;

/**
 * The draft rules directory named by `rules`, resolved on the server: an existing
 * directory holding the app's folder. Anything else is the caller's input (400 naming
 * `rules`), never a 500 or a scan of somewhere else.
 */
async function draftDir(dir: string, appId: string): Promise<string> {
  const resolved = path.resolve(dir);
  const info = await stat(resolved).catch(() => null);
  if (!info?.isDirectory())
    throw invalidInput([{ field: 'rules', message: `no directory '${dir}' on the server` }]);
  const appFolder = await stat(path.join(resolved, appId)).catch(() => null);
  if (!appFolder?.isDirectory()) {
    throw invalidInput([{ field: 'rules', message: `'${dir}' has no folder '${appId}' of rule files` }]);
  }
  return resolved;
}

function checkBody(schemas: ReturnType<typeof impactSchemaOf>, raw: unknown): ImpactBody {
  // The schema is closed: an unknown field is named as such ("is not a field of this request").
  const checked = schemas.check(raw);
  if (!checked.ok) throw invalidInput(checked.problems);
  const body = checked.value;
  if ((body.source === undefined) === (body.rules === undefined)) {
    throw invalidInput([
      { field: 'source', message: 'give either source: pending or rules: a draft directory' },
    ]);
  }
  return body;
}

const impactSchemaOf = () => new RequestSchemas().compile<ImpactBody>(impactBodySchema);

async function candidateOf(deps: ImpactDeps, appId: string, body: ImpactBody) {
  const source = body.rules === undefined ? ('pending' as const) : ('rules' as const);
  const dir = body.rules === undefined ? deps.rulesDir : await draftDir(body.rules, appId);
  const loaded = await deps.load(dir, appId);
  if (!loaded.ok) {
    const problems = loaded.problems.slice(0, SHOWN_PROBLEMS);
    throw new AppError(
      'INVALID_RULES',
      `the candidate rules of '${appId}' do not load: ${problems.map(formatProblem).join('; ')}`,
      problems.map((p) => ({ field: source === 'rules' ? 'rules' : 'source', message: formatProblem(p) })),
    );
  }
  return { source, rulesDir: dir, rules: loaded.rules };
}

/**
 * POST /admin/apps/:appId/impact — the app's recorded decisions (the sampled decision
 * log) re-decided under a candidate (the files on disk, or a draft rules directory on
 * the server) and under the live rules, reported in business numbers.
 */
export function impactRoutes(router: ApiRouter, deps: ImpactDeps): void {
  const schema = impactSchemaOf();
  router.post('/apps/:appId/impact', async (ctx) => {
    const appId = ctx.params.appId ?? '';
    const app = deps.apps.find((a) => a.id === appId);
    const live = deps.rules.current(appId);
    if (!app || !live) throw new AppError('APP_NOT_FOUND', `no app '${appId}' with active rules`);
    const body = checkBody(schema, (ctx.request as { body?: unknown }).body);
    const candidate = await candidateOf(deps, appId, body);
    const { decisions: recorded, sample } = await recentDecisions(
      deps.decisions,
      appId,
      body.api,
      body.limit ?? DEFAULT_REPLAY_LIMIT,
      deps.sampleRate,
    );
    const report = await replayImpact(recorded, live, candidate.rules, app, deps.runners);
    const failures = await deps.gate?.(candidate.rulesDir, appId, candidate.rules);
    const answer: ImpactAnswer = {
      appId,
      live: { version: live.version, hash: live.hash },
      candidate: {
        source: candidate.source,
        rulesDir: candidate.rulesDir,
        version: candidate.rules.version,
        hash: candidate.rules.hash,
      },
      decisions: recorded.length,
      sample,
      ...(failures ? { fixtures: { failures: failures.slice(0, SHOWN_PROBLEMS) } } : {}),
      ...report,
    };
    ctx.body = answer;
  });
}
