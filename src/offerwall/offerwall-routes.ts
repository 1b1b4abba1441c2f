import type { Context } from 'koa';
import { type ApiRouter, type EdgeLimits, publicApi } from '../http/api-router.js';
import { AppError } from '../http/app-error.js';
import type { ApiRoutes } from '../http/feature.js';
import type { RequestState } from '../http/request-context.js';
import { JSON_TYPE, setHeader } from '../http/set-header.js';
import type { AppRules } from '../rules/app-rules.js';
import { rulesVersionHeader } from '../rules/app-rules.js';
import type { DecisionRecorder } from '../store/decisions/decision-recorder.js';
import { osVersionFromUserAgent, platformFromUserAgent } from './domain/device.js';
import { type AdminRouteDeps, adminRoutes } from './offerwall-admin-routes.js';
import { mapped } from './offerwall-http-errors.js';
import { OfferwallParams, type PersonalizedQuery } from './offerwall-params.js';
import { bannedError, type OfferwallService, type WallInfo } from './offerwall-service.js';
import type { PersonalizedJson } from './personalized-json.js';
import { personalizedOrBan } from './personalized-or-ban.js';

/** What the public routes need besides the service; built once by the feature. */
export interface PublicRouteDeps {
  service: OfferwallService;
  walls: ReadonlyMap<number, WallInfo>;
  rules: { current(appId: string): AppRules | undefined };
  geo: { country(ip: string): string | null };
  /** The caller's address (X-Forwarded-For only from trusted proxies). */
  callerIp: (ctx: Context) => string | null;
  /** Where click links point: http.publicUrl, else the listening address — never a request's Host. */
  baseUrl: () => string;
  /** How long a served click link stays valid. */
  clickLinkTtlMs: number;
  now: () => Date;
  /** The request schemas, compiled once. */
  params: OfferwallParams;
  /** Renders the personalized body (one per feature: it keeps each catalog offer serialized). */
  json: PersonalizedJson;
  /** Samples served rankings into the decision log (replay, impact); absent: nothing recorded. */
  decisions?: DecisionRecorder;
}

/** The query parameters a replay parses again (the personalized schema's names), as sent. */
const REPLAYED_PARAMS = [
  'wall',
  'numoffers',
  'sid3',
  'device',
  'os_version',
  'include_sortmetric',
  'bid_floor',
  'experiment_id',
] as const;

/**
 * The request as the offerwall case runner takes it: the query as sent, with the address
 * and User-Agent the decision used, so a replay needs neither the caller nor its headers.
 */
function replayableRequest(
  ctx: Context,
  uid: string,
  ip: string | null,
  userAgent: string | undefined,
): Record<string, unknown> {
  const request: Record<string, unknown> = { uid };
  for (const name of REPLAYED_PARAMS) {
    const value = ctx.query[name];
    if (typeof value === 'string') request[name] = value;
  }
  if (ip) request.ip = ip;
  if (userAgent) request.userAgent = userAgent;
  return request;
}

function wallOf(deps: PublicRouteDeps, wallId: number): WallInfo {
  const wall = deps.walls.get(wallId);
  if (!wall) throw new AppError('WALL_NOT_FOUND', `wall ${wallId} not found`);
  return wall;
}

function rulesOf(deps: PublicRouteDeps, ctx: Context, appId: string): AppRules {
  // Read once per request: this snapshot decides everything below, and its version is in the header.
  const rules = deps.rules.current(appId);
  if (!rules) throw new AppError('RULES_NOT_READY', `no valid rules loaded for app '${appId}' yet`);
  setHeader(ctx, 'X-Rules-Version', rulesVersionHeader(rules));
  return rules;
}

/** The request's parameters, else the ban that answers before its bad ones (personalizedOrBan). */
async function paramsOrBan(deps: PublicRouteDeps, ctx: Context): Promise<PersonalizedQuery> {
  const checked = await personalizedOrBan(deps.params, ctx.params.uid ?? '', ctx.query, (subject) => {
    const wall = deps.walls.get(subject.wall);
    const ips = [subject.ip ?? null, deps.callerIp(ctx)];
    return wall ? deps.service.blockingBan(wall, subject.uid, ips) : Promise.resolve(undefined);
  });
  if ('query' in checked) return checked.query;
  const rules = deps.rules.current(checked.ban.appId);
  if (rules) setHeader(ctx, 'X-Rules-Version', rulesVersionHeader(rules));
  throw bannedError(checked.ban);
}

async function personalized(deps: PublicRouteDeps, ctx: Context): Promise<void> {
  const q = await paramsOrBan(deps, ctx);
  const wall = wallOf(deps, q.wall);
  const rules = rulesOf(deps, ctx, wall.appId);
  const ip = q.ip ?? deps.callerIp(ctx);
  const ua = ctx.get('User-Agent') || undefined;
  const outcome = await deps.service.personalized(
    {
      wall,
      uid: q.uid,
      ip,
      callerIp: deps.callerIp(ctx),
      country: ip ? deps.geo.country(ip) : null,
      device: q.device ?? platformFromUserAgent(ua),
      osVersion: q.osVersion ?? (q.device ? null : osVersionFromUserAgent(ua)),
      bidFloor: q.bidFloor,
      limit: q.numoffers,
      sid3: q.sid3,
      experimentId: q.experimentId,
    },
    rules,
  );
  // Bans and empty walls are decisions too: recorded before they become errors.
  deps.decisions?.record('offerwall', deps.now(), () => ({
    appId: wall.appId,
    userId: q.uid,
    rulesHash: rules.hash,
    request: replayableRequest(ctx, q.uid, ip, ua),
    outcome:
      'ban' in outcome
        ? { status: 403 }
        : { reason: outcome.reason, offerIds: outcome.ranking.offers.map((r) => r.offer.offer_id) },
    scope: { wallId: wall.wallId, evenIfUnseen: true },
  }));
  if ('ban' in outcome) throw bannedError(outcome.ban);
  if (outcome.reason === 'NO_ELIGIBLE_OFFERS') {
    throw new AppError('NO_ELIGIBLE_OFFERS', 'No offers are eligible for this user right now');
  }
  setHeader(ctx, 'Content-Type', JSON_TYPE);
  ctx.body = deps.json.render(outcome.ranking, {
    wall,
    uid: q.uid,
    sid3: q.sid3,
    // Never from the request (Host, Origin): a forged header would point the links elsewhere.
    baseUrl: deps.baseUrl(),
    exp: Math.floor((deps.now().getTime() + deps.clickLinkTtlMs) / 1000),
    includeSortmetric: q.includeSortmetric,
    supportId: (ctx.state as RequestState).supportId,
    experimentId: q.experimentId,
    bidFloor: q.bidFloor,
  });
}

async function click(deps: PublicRouteDeps, ctx: Context): Promise<void> {
  const q = deps.params.click(ctx.query);
  const wall = wallOf(deps, q.wall);
  const { location } = await deps.service.click({
    wall,
    uid: q.uid,
    offerId: q.offer,
    offerIds: q.offers,
    sid3: q.sid3,
    exp: q.exp,
    sig: q.sig,
    ip: deps.callerIp(ctx),
  });
  ctx.redirect(location);
}

async function postback(deps: PublicRouteDeps, ctx: Context): Promise<void> {
  const q = deps.params.postback(ctx.query, (ctx.request as { body?: unknown }).body);
  const wall = wallOf(deps, q.wall);
  const { duplicate, progress } = await deps.service.postback({
    wall,
    uid: q.uid,
    offerId: q.offer,
    eventId: q.event,
    transactionId: q.transactionId,
    sig: q.sig,
  });
  ctx.body = {
    status: 'success',
    support_id: (ctx.state as RequestState).supportId,
    duplicate,
    wall_id: wall.wallId,
    offer_id: q.offer,
    event_id: q.event,
    transaction_id: q.transactionId,
    sid3: progress?.sid3 ?? null,
    in_progress: progress?.status === 'in_progress',
    user_completed: progress?.status === 'completed',
    completed_events: progress?.completedEvents ?? [],
  };
}

/** What the offerwall's routes need; they compile their own request schemas. */
export type OfferwallRouteDeps = Omit<PublicRouteDeps & AdminRouteDeps, 'params'>;

/**
 * The offerwall API: the public one under /api/v1 (personalized offers, click tracking,
 * postbacks) and its admin routes (catalogs, bans) under /admin.
 */
export function createOfferwallRoutes(deps: OfferwallRouteDeps, limits: EdgeLimits): ApiRoutes {
  const withParams = { ...deps, params: new OfferwallParams() };
  const api = publicApi('offerwall', limits, { prefix: '/api/v1' });
  publicRoutes(api, withParams);
  return { apis: [api], admin: (router) => adminRoutes(router, withParams) };
}

function publicRoutes(router: ApiRouter, deps: PublicRouteDeps): void {
  router.get(
    '/users/:uid/personalized',
    mapped((ctx) => personalized(deps, ctx)),
  );
  router.getThatWrites(
    '/click',
    mapped((ctx) => click(deps, ctx)),
  );
  router.getThatWrites(
    '/postback',
    mapped((ctx) => postback(deps, ctx)),
  );
  router.post(
    '/postback',
    mapped((ctx) => postback(deps, ctx)),
  );
}
