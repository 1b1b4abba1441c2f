import type { Context } from 'koa';
import type { ApiKeys } from '../http/api-keys.js';
import { type ApiRouter, type EdgeLimits, publicApi } from '../http/api-router.js';
import { AppError, invalidInput } from '../http/app-error.js';
import type { ApiRoutes, RulesSource } from '../http/feature.js';
import { RequestSchemas } from '../http/request-schema.js';
import { setHeader } from '../http/set-header.js';
import { type AppRules, rulesVersionHeader } from '../rules/app-rules.js';
import type { DecisionRecorder } from '../store/decisions/decision-recorder.js';
import { apiKeyFrom, authorizeBanner } from './banner-auth.js';
import { normalizeBannerBody } from './banner-normalize.js';
import { BannerRequestParser } from './banner-request.js';
import { experimentResultsQueryMessages, experimentResultsQuerySchema } from './banner-schemas.js';
import type { BannerService } from './banner-service.js';
import type { RenderReason } from './domain/render-reason.js';
import type { BannerRules } from './rules/banner-kind.js';
import { keyOnly } from './sdk/sdk-keys.js';

export interface BannerRoutesDeps {
  service: BannerService;
  keys: ApiKeys;
  /** Configured apps: results of any other app id are a 404. */
  appIds: ReadonlySet<string>;
  rules: RulesSource;
  now: () => Date;
  /** The caller's country by geo-IP, or null (private, loopback or unknown address, or `?ip=0`). */
  callerCountry: (ctx: Context) => string | null;
  observe?: {
    render(appId: string, reason: RenderReason): void;
  };
  decisions?: DecisionRecorder;
}

const bodyOf = (ctx: Context): unknown => (ctx.request as { body?: unknown }).body;

/** Reads the app's rules once for the whole request and labels the response with their version. */
function snapshot(deps: BannerRoutesDeps, ctx: Context, appId: string): AppRules {
  const rules = deps.rules.current(appId);
  if (!rules) throw new AppError('RULES_NOT_READY', `no valid rules loaded for app '${appId}' yet`);
  setHeader(ctx, 'X-Rules-Version', rulesVersionHeader(rules));
  return rules;
}

function bannerRulesOf(rules: AppRules): BannerRules {
  if (!rules.banner) {
    throw new AppError('API_NOT_CONFIGURED', `app '${rules.appId}' has no Banner rules`);
  }
  return rules.banner;
}

/**
 * The personal-offers API: POST /getPersonalizedBanner and /ab/getPersonalizedBanner
 * (the SDKs' path); and the router of the SDK's other calls (sdk/sdk-routes.ts), which
 * answer in the SDK's own `1`/`0` convention, so they are an API family of their own.
 */
export function createBannerRoutes(
  deps: BannerRoutesDeps,
  limits: EdgeLimits,
  addSdkRoutes: (track: ApiRouter) => void,
): ApiRoutes {
  const requests = new BannerRequestParser();
  const banner = publicApi('banner', limits);
  banner.post(['/getPersonalizedBanner', '/ab/getPersonalizedBanner'], async (ctx) => {
    const { app } = authorizeBanner(deps.keys, apiKeyFrom(ctx));
    const appRules = snapshot(deps, ctx, app.id);
    const rules = bannerRulesOf(appRules);
    const normalized = normalizeBannerBody(bodyOf(ctx), rules.settings.prizeTypes);
    if (normalized.warnings.length > 0) setHeader(ctx, 'X-Offerd-Warning', normalized.warnings.join('; '));
    const parsed = requests.parse(normalized.body, rules.settings, () => deps.callerCountry(ctx));
    // An alias ($create_alias) stands for its distinct id here as in tracked events: the
    // service resolves it within its one read of the user.
    const render = await deps.service.render(app.id, rules, parsed);
    const request = { ...parsed, userId: render.response.kibotuMetadata.userId };
    deps.observe?.render(app.id, render.reason);
    deps.decisions?.record('banner', deps.now(), () => ({
      appId: app.id,
      userId: request.userId,
      rulesHash: appRules.hash,
      // The country as decided (geo-IP included), so the replay needs no caller address.
      request: {
        ...(normalized.body as Record<string, unknown>),
        userId: request.userId,
        countryIso2: request.countryIso2,
      },
      outcome: { bannerId: render.bannerId, ...render.response.kibotuMetadata },
      snapshot: render.snapshot(),
    }));
    ctx.body = render.response;
  });

  // Its routes (/track, /import, /engage, /groups, /feature) are added by sdkRoutes; a
  // batch's record out of the edge's bounds is refused alone, its key kept (sdk-routes.ts).
  const track = publicApi('track', limits, { batches: { placeholder: keyOnly } });
  addSdkRoutes(track);
  return { apis: [banner, track], admin: (router) => adminRoutes(router, deps) };
}

/** Experiment results for account managers, on the admin router (its token checked first). */
function adminRoutes(admin: ApiRouter, deps: BannerRoutesDeps): void {
  const resultsQuery = new RequestSchemas().compile<{ bucketVersion?: number }>(
    experimentResultsQuerySchema,
    {
      messages: experimentResultsQueryMessages,
    },
  );
  admin.get('/apps/:appId/experiments', async (ctx) => {
    const appId = ctx.params.appId ?? '';
    if (!deps.appIds.has(appId)) throw new AppError('APP_NOT_FOUND', `no app '${appId}'`);
    const rules = snapshot(deps, ctx, appId);
    const experiments = rules.banner ? await deps.service.experiments(appId, rules.banner) : [];
    ctx.body = { appId, rulesVersion: rules.version, experiments };
  });
  admin.get('/apps/:appId/experiments/:experimentId', async (ctx) => {
    const appId = ctx.params.appId ?? '';
    const experimentId = ctx.params.experimentId ?? '';
    const query = resultsQuery.checkQuery(ctx.query);
    if (!query.ok) throw invalidInput(query.problems);
    const { bucketVersion } = query.value;
    if (!deps.appIds.has(appId)) throw new AppError('APP_NOT_FOUND', `no app '${appId}'`);
    const rules = snapshot(deps, ctx, appId);
    const current = rules.banner?.experiments.find((e) => e.id === experimentId)?.bucketVersion;
    const results =
      rules.banner && (await deps.service.results(appId, rules.banner, experimentId, bucketVersion));
    if (!results) {
      throw new AppError('EXPERIMENT_NOT_FOUND', `app '${appId}' has no experiment '${experimentId}'`);
    }
    // A version not run yet has no results: an empty "running" one read as a real, quiet test.
    // One above the current that has players ran before a rollback of its bump: its results
    // are stored and ended, and a 404 hid them (account-manager probe).
    const ran = results.users > 0 || results.enrolledAfterEnd !== undefined;
    if (current !== undefined && bucketVersion !== undefined && bucketVersion > current && !ran) {
      throw new AppError(
        'EXPERIMENT_NOT_FOUND',
        `experiment '${experimentId}' has no bucket version ${bucketVersion}: its current one is ${current}, and nobody is assigned to ${bucketVersion}`,
      );
    }
    ctx.body = { appId, rulesVersion: rules.version, ...results };
  });
}
