import type { Context } from 'koa';
import type { ApiKeys } from '../http/api-keys.js';
import { type ApiRouter, type EdgeLimits, publicApi } from '../http/api-router.js';
import { AppError, invalidInput } from '../http/app-error.js';
import type { ApiRoutes, RulesSource } from '../http/feature.js';
import { JSON_TYPE, setHeader } from '../http/set-header.js';
import { type AppRules, rulesVersionHeader } from '../rules/app-rules.js';
import { apiKeyFrom, authorizeBanner } from './banner-auth.js';
import { BannerRequestParser } from './banner-request.js';
import type { BannerService, RenderReason } from './banner-service.js';
import type { BannerRules } from './rules/banner-kind.js';
import { TrackBatchParser } from './track-request.js';

export interface BannerRoutesDeps {
  service: BannerService;
  keys: ApiKeys;
  /** Configured apps: results of any other app id are a 404. */
  appIds: ReadonlySet<string>;
  rules: RulesSource;
  now: () => Date;
  /** The caller's country by geo-IP, or null (private, loopback or unknown address). */
  callerCountry: (ctx: Context) => string | null;
  observe?: {
    render(appId: string, reason: RenderReason): void;
    tracked(appId: string, count: number): void;
  };
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

/** The SDK may send no Authorization header and put the key in each event's `token` instead. */
function peekToken(body: unknown): string | undefined {
  const first = Array.isArray(body) ? body[0] : body;
  const token = (first as { properties?: { token?: unknown } } | null)?.properties?.token;
  return typeof token === 'string' ? token : undefined;
}

function positiveInt(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value === 'string' && Number.isInteger(n) && n >= 1) return n;
  throw invalidInput([{ field, message: 'must be an integer >= 1' }]);
}

/**
 * The personal-offers API: POST /getPersonalizedBanner and /ab/getPersonalizedBanner
 * (the SDKs' path); and its tracking, POST /track (and /ab/track), which answers in the
 * SDK's own `1`/`0` convention, so it is an API family of its own.
 */
export function createBannerRoutes(deps: BannerRoutesDeps, limits: EdgeLimits): ApiRoutes {
  const requests = new BannerRequestParser();
  const batches = new TrackBatchParser();
  const banner = publicApi('banner', limits);
  banner.post(['/getPersonalizedBanner', '/ab/getPersonalizedBanner'], async (ctx) => {
    const { app } = authorizeBanner(deps.keys, apiKeyFrom(ctx.get('Authorization')));
    const rules = bannerRulesOf(snapshot(deps, ctx, app.id));
    const request = requests.parse(bodyOf(ctx), rules.settings, () => deps.callerCountry(ctx));
    const render = await deps.service.render(app.id, rules, request);
    deps.observe?.render(app.id, render.reason);
    setHeader(ctx, 'Cache-Control', 'no-store');
    ctx.body = render.response;
  });

  const track = publicApi('track', limits);
  track.post(['/track', '/ab/track'], async (ctx) => {
    const body = bodyOf(ctx);
    const { app } = authorizeBanner(deps.keys, apiKeyFrom(ctx.get('Authorization')) ?? peekToken(body));
    snapshot(deps, ctx, app.id);
    const batch = batches.parse(body, deps.now());
    await deps.service.track(app.id, batch.events);
    deps.observe?.tracked(app.id, batch.events.length);
    // The vendor SDK reads success as exactly `1`, or {"status": 1, "error": null} with verbose=1.
    // `1` is JSON too, and says so: Koa would call a string body text/plain.
    setHeader(ctx, 'Content-Type', JSON_TYPE);
    ctx.body = ctx.query.verbose === '1' ? { status: 1, error: null } : '1';
  });
  return { apis: [banner, track], admin: (router) => adminRoutes(router, deps) };
}

/** Experiment results for account managers, on the admin router (its token checked first). */
function adminRoutes(admin: ApiRouter, deps: BannerRoutesDeps): void {
  admin.get('/apps/:appId/experiments/:experimentId', async (ctx) => {
    const appId = ctx.params.appId ?? '';
    const experimentId = ctx.params.experimentId ?? '';
    const bucketVersion = positiveInt(ctx.query.bucketVersion, 'bucketVersion');
    if (!deps.appIds.has(appId)) throw new AppError('APP_NOT_FOUND', `no app '${appId}'`);
    const rules = snapshot(deps, ctx, appId);
    const results =
      rules.banner && (await deps.service.results(appId, rules.banner, experimentId, bucketVersion));
    if (!results) {
      throw new AppError('EXPERIMENT_NOT_FOUND', `app '${appId}' has no experiment '${experimentId}'`);
    }
    ctx.body = { appId, rulesVersion: rules.version, ...results };
  });
}
