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
import { AppError, invalidInput } from '../http/app-error.js';
import type { RulesSource } from '../http/feature.js';
import { type RequestSchema, RequestSchemas } from '../http/request-schema.js';
import type { AppRules } from '../rules/app-rules.js';
import type { Store } from '../store/store.js';
import { explainBodyMessages, explainBodySchema, MAX_USER_ID, USER_MESSAGE } from './admin-schemas.js';

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

/**
 * The explain body as its schema admits it, and what the schema cannot say simply: without
 * a what-if `state`, the stored user is `user` or the user id in `request`.
 */
function checkBody(schema: RequestSchema<ExplainBody>, raw: unknown): ExplainBody {
  const fields = schema.problems(raw);
  const body = isObject(raw) ? raw : {};
  if (body.state === undefined && !fields.some((f) => f.field === 'user')) {
    const user = body.user ?? requestUserId(isObject(body.request) ? body.request : undefined);
    if (typeof user !== 'string' || user.trim() === '' || user.length > MAX_USER_ID) {
      fields.push({ field: 'user', message: USER_MESSAGE });
    }
  }
  // The schema's date-time admits a leap second (:60), which no Date holds.
  if (
    typeof body.now === 'string' &&
    Number.isNaN(Date.parse(body.now)) &&
    !fields.some((f) => f.field === 'now')
  ) {
    fields.push({
      field: 'now',
      message: 'must be an instant a clock shows: a leap second (:60) is not one',
    });
  }
  if (fields.length > 0) throw invalidInput(fields);
  return raw as ExplainBody;
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
  const schema = new RequestSchemas().compile<ExplainBody>(explainBodySchema, {
    messages: explainBodyMessages,
  });
  router.post('/apps/:appId/explain', async (ctx) => {
    const appId = ctx.params.appId ?? '';
    const app = deps.apps.find((a) => a.id === appId);
    const snapshot = deps.rules.current(appId);
    if (!app || !snapshot) throw new AppError('APP_NOT_FOUND', `no app '${appId}' with active rules`);
    const body = checkBody(schema, (ctx.request as { body?: unknown }).body);
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
