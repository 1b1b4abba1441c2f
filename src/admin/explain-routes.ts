import type { AppConfig } from '../config/config-types.js';
import type { ApiCaseRunner, FixtureApi } from '../fixtures/api-case-runner.js';
import { type ExplainContext, explainDecision } from '../fixtures/explain.js';
import type { ApiRouter } from '../http/api-router.js';
import { AppError } from '../http/app-error.js';
import type { RulesSource } from '../http/feature.js';

const APIS: readonly string[] = ['banner', 'offerwall', 'journeys'];

/** POST /admin/apps/:appId/explain — `offerd explain` against the running service's active rules. */
export function explainRoutes(
  router: ApiRouter,
  rules: RulesSource,
  apps: readonly AppConfig[],
  runners: ReadonlyMap<FixtureApi, ApiCaseRunner>,
): void {
  router.post('/apps/:appId/explain', async (ctx) => {
    const appId = ctx.params.appId ?? '';
    const app = apps.find((a) => a.id === appId);
    const snapshot = rules.current(appId);
    if (!app || !snapshot) throw new AppError('APP_NOT_FOUND', `no app '${appId}' with active rules`);
    const body = (ctx.request as { body?: unknown }).body as Partial<ExplainContext> & { api?: unknown };
    const fields = [];
    if (typeof body?.api !== 'string' || !APIS.includes(body.api)) {
      fields.push({ field: 'api', message: `one of ${APIS.join(', ')}` });
    }
    if (!body?.request || typeof body.request !== 'object')
      fields.push({ field: 'request', message: 'required object' });
    if (body?.now !== undefined && Number.isNaN(Date.parse(String(body.now)))) {
      fields.push({ field: 'now', message: 'an ISO 8601 date-time' });
    }
    if (
      body?.state !== undefined &&
      (body.state === null || typeof body.state !== 'object' || Array.isArray(body.state))
    ) {
      fields.push({ field: 'state', message: 'an object' });
    }
    if (fields.length > 0) throw new AppError('INVALID_INPUT', 'Invalid input', fields);
    try {
      ctx.body = await explainDecision(
        snapshot,
        app,
        body.api as FixtureApi,
        body as ExplainContext,
        runners,
      );
    } catch (err) {
      // The case runners refuse a state or request they cannot build (a progress entry for an
      // offer not in the wall, a malformed event) by throwing, as they do for a fixture file:
      // here that is the caller's input, not our fault.
      throw new AppError('INVALID_INPUT', 'Invalid input', [
        {
          field: 'state',
          message: `cannot be evaluated: ${err instanceof Error ? err.message : String(err)}`,
        },
      ]);
    }
  });
}
