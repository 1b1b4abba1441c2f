import type { AppConfig } from '../config/config-types.js';
import type { ApiCaseRunner, FixtureApi } from '../fixtures/api-case-runner.js';
import {
  type ExplainContext,
  ExplainInputError,
  type Explanation,
  explainDecision,
  explainStoredUser,
  UserNotFoundError,
} from '../fixtures/explain.js';
import type { ApiRouter } from '../http/api-router.js';
import { AppError, type FieldProblem, invalidInput } from '../http/app-error.js';
import type { RulesSource } from '../http/feature.js';
import type { AppRules } from '../rules/app-rules.js';
import type { Store } from '../store/store.js';

const APIS: readonly string[] = ['banner', 'offerwall', 'journeys'];
const MAX_USER_ID = 256;

/** The explain body: a stored `user` (or the user id in `request`), or a what-if `state`. */
interface ExplainBody {
  api: FixtureApi;
  user?: string;
  request?: Record<string, unknown>;
  state?: Record<string, unknown>;
  now?: string;
}

export interface ExplainDeps {
  rules: RulesSource;
  apps: readonly AppConfig[];
  runners: ReadonlyMap<FixtureApi, ApiCaseRunner>;
  store: Store;
  now: () => Date;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** The user id a request names in its API's own field (userId, uid, externalId). */
function requestUserId(request: Record<string, unknown> | undefined): unknown {
  return request?.userId ?? request?.uid ?? request?.externalId;
}

function checkBody(raw: unknown): ExplainBody {
  const body = isObject(raw) ? raw : {};
  const fields: FieldProblem[] = [];
  if (typeof body.api !== 'string' || !APIS.includes(body.api)) {
    fields.push({ field: 'api', message: `one of ${APIS.join(', ')}` });
  }
  if (body.request !== undefined && !isObject(body.request))
    fields.push({ field: 'request', message: 'an object' });
  if (body.now !== undefined && (typeof body.now !== 'string' || Number.isNaN(Date.parse(body.now)))) {
    fields.push({ field: 'now', message: 'an ISO 8601 date-time' });
  }
  if (body.state !== undefined && !isObject(body.state))
    fields.push({ field: 'state', message: 'an object' });
  if (body.state !== undefined && !isObject(body.request)) {
    fields.push({ field: 'request', message: 'required with state' });
  }
  if (body.state === undefined) {
    const user = body.user ?? requestUserId(body.request as Record<string, unknown> | undefined);
    if (typeof user !== 'string' || user.trim() === '' || user.length > MAX_USER_ID) {
      fields.push({ field: 'user', message: `the stored user's id, 1..${MAX_USER_ID} characters` });
    }
  }
  if (fields.length > 0) throw invalidInput(fields);
  return body as unknown as ExplainBody;
}

async function explainBody(deps: ExplainDeps, rules: AppRules, app: AppConfig, body: ExplainBody) {
  if (body.state !== undefined) {
    return explainDecision(rules, app, body.api, body as ExplainContext, deps.runners, deps.now);
  }
  const userId = String(body.user ?? requestUserId(body.request));
  return explainStoredUser(
    rules,
    app,
    deps.store,
    {
      api: body.api,
      userId,
      ...(body.request ? { request: body.request } : {}),
      now: body.now ? new Date(body.now) : deps.now(),
    },
    deps.runners,
  );
}

/**
 * POST /admin/apps/:appId/explain — a stored user's decision and why, against the running
 * service's active rules and stored state; with `state`, a what-if context instead.
 */
export function explainRoutes(router: ApiRouter, deps: ExplainDeps): void {
  router.post('/apps/:appId/explain', async (ctx) => {
    const appId = ctx.params.appId ?? '';
    const app = deps.apps.find((a) => a.id === appId);
    const snapshot = deps.rules.current(appId);
    if (!app || !snapshot) throw new AppError('APP_NOT_FOUND', `no app '${appId}' with active rules`);
    const body = checkBody((ctx.request as { body?: unknown }).body);
    let explanation: Explanation;
    try {
      explanation = await explainBody(deps, snapshot, app, body);
    } catch (err) {
      if (err instanceof UserNotFoundError) throw new AppError('USER_NOT_FOUND', err.message);
      if (err instanceof ExplainInputError) throw invalidInput([{ field: err.field, message: err.message }]);
      // The case runners refuse a state or request they cannot build (a progress entry for an
      // offer not in the wall, a malformed event) by throwing, as they do for a fixture file:
      // here that is the caller's input, not our fault.
      const message = `cannot be evaluated: ${err instanceof Error ? err.message : String(err)}`;
      throw invalidInput([{ field: body.state !== undefined ? 'state' : 'request', message }]);
    }
    ctx.body = explanation;
  });
}
