import type { Context } from 'koa';
import type { ApiKeys } from '../http/api-keys.js';
import { type ApiRouter, type EdgeLimits, publicApi } from '../http/api-router.js';
import { AppError, invalidInput } from '../http/app-error.js';
import { refuseBody } from '../http/closed-inputs.js';
import type { ApiRoutes, RulesSource } from '../http/feature.js';
import { setHeader } from '../http/set-header.js';
import { rulesVersionHeader } from '../rules/app-rules.js';
import type { Environment, Partition } from './domain/journey-types.js';
import { UserBoundsError } from './domain/user-bounds.js';
import type { GenerationReport } from './journeys-generation.js';
import type { JourneysService } from './journeys-service.js';
import { JourneysValidation } from './journeys-validation.js';
import { eventView, offerView } from './journeys-views.js';
import type { JourneysRules } from './rules/journeys-rules.js';

export const JOURNEYS_BASE = '/v1/user-journeys';
/**
 * GamifyHost's base: its Flutter SDK calls games endpoints offerd does not serve (`/v1/games`,
 * `/v1/leaderboard`, `/v1/users/{uid}/sdk-balance`...). Their 404 comes in GamifyHost's
 * envelope, whose `message` the SDK reads (`GamifyHostApiException(404, 'Not found')`),
 * not the neutral one, which the SDK can only report as 'Unknown error'.
 */
const VENDOR_BASE = '/v1';

interface RouteDeps {
  keys: ApiKeys;
  rules: RulesSource;
  service: JourneysService;
  validation: JourneysValidation;
  /** Runs the generation job for an app with a rules snapshot the route read. */
  generate(
    appId: string,
    environments: readonly Environment[] | undefined,
  ): Promise<{ report: GenerationReport; rulesVersion: string } | null>;
  /** This instance's last generation reports of an app, newest first; null for an unknown app. */
  runs(appId: string): readonly GenerationReport[] | null;
}

/** What the journeys routes need; they compile their own request schemas. */
export type JourneysRouteDeps = Omit<RouteDeps, 'validation'> & {
  /** The clock request validation reads (an event may not be in the future). */
  now: () => Date;
};

interface Scope {
  p: Partition;
  rules: JourneysRules;
}

const body = (ctx: Context): unknown => (ctx.request as { body?: unknown }).body;

function ok(ctx: Context, status: number, data: unknown, meta?: unknown): void {
  ctx.status = status;
  ctx.body = meta === undefined ? { status: 'success', data } : { status: 'success', data, meta };
}

/** Authenticates X-API-Key, picks the key's environment and reads the app's rules snapshot once. */
function scopeOf(ctx: Context, deps: RouteDeps): Scope {
  const raw = ctx.get('X-API-Key');
  if (!raw) throw new AppError('MISSING_API_KEY', 'Missing X-API-Key header');
  const { app, key } = deps.keys.authorize(raw, 'journeys');
  const snapshot = deps.rules.current(app.id);
  if (!snapshot) throw new AppError('RULES_NOT_READY', `no valid rules loaded for app '${app.id}' yet`);
  setHeader(ctx, 'X-Rules-Version', rulesVersionHeader(snapshot));
  if (!snapshot.journeys)
    throw new AppError('API_NOT_CONFIGURED', 'User journeys are not configured for this application');
  // Config guarantees every journeys key names its environment.
  return { p: { appId: app.id, environment: key.environment ?? 'live' }, rules: snapshot.journeys };
}

/** A merged user past a bound of user-bounds.ts is the client's 400, naming tags or metadata. */
function boundsAsInvalidInput(err: unknown): never {
  if (err instanceof UserBoundsError) throw invalidInput([...err.problems]);
  throw err;
}

const userNotFound = () => new AppError('USER_NOT_FOUND', 'User not found');
const param = (ctx: Context, name: string): string =>
  String((ctx.params as Record<string, string>)[name] ?? '');

function userRoutes(router: ApiRouter, deps: RouteDeps): void {
  router.post('/users', async (ctx) => {
    const { p, rules } = scopeOf(ctx, deps);
    const patch = deps.validation.userPatch(body(ctx));
    // The docs answer 200 OK for create and update alike.
    const { profile } = await deps.service.upsertUser(rules, p, patch).catch(boundsAsInvalidInput);
    ok(ctx, 200, profile);
  });
  router.get('/users/:externalId', async (ctx) => {
    const { p, rules } = scopeOf(ctx, deps);
    const profile = await deps.service.profile(rules, p, param(ctx, 'externalId'));
    if (!profile) throw userNotFound();
    ok(ctx, 200, profile);
  });
  router.get('/users/:externalId/timeline', async (ctx) => {
    const { p } = scopeOf(ctx, deps);
    const { page, limit } = deps.validation.pageOf(ctx.query);
    const found = await deps.service.timeline(p, param(ctx, 'externalId'), page, limit);
    if (!found) throw userNotFound();
    const events = found.events.map((e) => eventView(e, p));
    const totalPages = Math.ceil(found.total / limit);
    ok(
      ctx,
      200,
      { events, page, limit, total: found.total },
      { page, limit, total: found.total, totalPages },
    );
  });
}

function eventRoutes(router: ApiRouter, deps: RouteDeps): void {
  router.post('/events', async (ctx) => {
    const { p } = scopeOf(ctx, deps);
    const [result] = await deps.service.track(p, [deps.validation.event(body(ctx))]);
    if (!result) throw new Error('no result for a tracked event');
    ok(ctx, result.duplicate ? 200 : 201, {
      event: eventView(result.event, p),
      duplicate: result.duplicate,
    });
  });
  router.post('/track', async (ctx) => {
    const { p } = scopeOf(ctx, deps);
    const results = await deps.service.track(p, deps.validation.batchOf(body(ctx)));
    const accepted = results.filter((r) => !r.duplicate).length;
    ok(ctx, accepted > 0 ? 201 : 200, {
      accepted,
      duplicates: results.length - accepted,
      events: results.map((r) => Object.assign(eventView(r.event, p), { duplicate: r.duplicate })),
    });
  });
}

const CLAIM_ERRORS = {
  not_found: () => new AppError('OFFER_NOT_FOUND', 'Offer not found'),
  not_active: () => new AppError('OFFER_NOT_ACTIVE', 'Offer is no longer active'),
  expired: () => new AppError('OFFER_EXPIRED', 'Offer has expired'),
} as const;

function offerRoutes(router: ApiRouter, deps: RouteDeps): void {
  router.get('/users/:externalId/offers', async (ctx) => {
    const { p } = scopeOf(ctx, deps);
    const offers = await deps.service.activeOffers(p, param(ctx, 'externalId'));
    if (!offers) throw userNotFound();
    ok(ctx, 200, { offers: offers.map(offerView) });
  });
  router.post('/users/:externalId/offers/:offerId/claim', async (ctx) => {
    const { p } = scopeOf(ctx, deps);
    const result = await deps.service.claim(p, param(ctx, 'externalId'), param(ctx, 'offerId'));
    if (!result.ok) throw CLAIM_ERRORS[result.reason]();
    ok(ctx, 200, { offer: offerView(result.offer) });
  });
}

function adminRoutes(router: ApiRouter, deps: RouteDeps): void {
  router.post('/apps/:appId/journeys/generate', async (ctx) => {
    refuseBody(ctx);
    const environments = deps.validation.environmentsOf(ctx.query);
    const appId = param(ctx, 'appId');
    const run = await deps.generate(appId, environments);
    if (!run) throw new AppError('APP_NOT_FOUND', `no app '${appId}' with Journeys rules`);
    ctx.set('X-Rules-Version', run.rulesVersion);
    ctx.body = run.report;
  });
  router.get('/apps/:appId/journeys/runs', (ctx) => {
    const appId = param(ctx, 'appId');
    const runs = deps.runs(appId);
    if (!runs) throw new AppError('APP_NOT_FOUND', `no app '${appId}'`);
    ctx.body = { appId, runs };
  });
}

/** The user-journeys API under /v1/user-journeys, and the generation job's admin trigger (under /admin). */
export function createJourneysRoutes(routeDeps: JourneysRouteDeps, limits: EdgeLimits): ApiRoutes {
  const deps = { ...routeDeps, validation: new JourneysValidation(routeDeps.now) };
  const router = publicApi('journeys', limits, { prefix: JOURNEYS_BASE });
  userRoutes(router, deps);
  eventRoutes(router, deps);
  offerRoutes(router, deps);
  // No routes: under its prefix every path is its 404, tried after the journeys router. Its
  // preflights are answered: the SDK's widget calls these from a WebView with `X-API-Key`, and
  // a 404 preflight made the browser report a CORS failure (status 0), not the 404 (probe).
  const vendorRest = publicApi('journeys', limits, { prefix: VENDOR_BASE, preflightOnUnknownPaths: true });
  return { apis: [router, vendorRest], admin: (admin) => adminRoutes(admin, deps) };
}
