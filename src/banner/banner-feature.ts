import { randomUUID } from 'node:crypto';
import type { Context } from 'koa';
import { Counter } from 'prom-client';
import { ApiKeys } from '../http/api-keys.js';
import type { ApiRouter } from '../http/api-router.js';
import { invalidInput } from '../http/app-error.js';
import { addressSet, clientIp } from '../http/client-ip.js';
import type { Feature, FeatureDeps } from '../http/feature.js';
import { createBannerRoutes } from './banner-routes.js';
import { BannerService } from './banner-service.js';
import type { RenderReason } from './domain/render-reason.js';
import { sdkRoutes } from './sdk/sdk-routes.js';
import { SdkService } from './sdk/sdk-service.js';
import { SignInMerge } from './sdk/sign-in-merge.js';
import { SpecialOfferService } from './special-offer-service.js';

/**
 * The `ip` query parameter, given once. `?ip=0&ip=0` and `?ip[]=0` read as "not 0" and
 * geolocated a caller who asked not to be (hostile probe): refused instead.
 */
function ipParam(ctx: Context): string | undefined {
  const { ip } = ctx.query;
  if (Array.isArray(ip) || Object.keys(ctx.query).some((k) => k.startsWith('ip['))) {
    throw invalidInput([{ field: 'ip', message: 'must be given once, as ip=0 or ip=1' }]);
  }
  return ip;
}

/** The personal-offers API (Kibotu-compatible): personalized banners, sticky experiments, tracking. */
export function createBannerFeature(deps: FeatureDeps): Feature {
  const service = new BannerService(deps.store.banner, {
    now: deps.now,
    newRenderId: randomUUID,
    profiles: deps.store.profiles,
  });
  deps.rules.whenActivated((appId, rules, at, before) => {
    // Rules without a banner still end what the snapshot before them ran (VersionEnds).
    service.rulesActivated(appId, rules.banner ?? undefined, at, before?.banner ?? undefined);
  });
  const sdk = new SdkService(service, deps.store.profiles, new SignInMerge(deps.store.banner));
  const trusted = addressSet(deps.config.http.trustedProxies);
  // `?ip=0` (the SDKs' default for server-side use) means: do not geolocate the caller.
  const callerCountry = (ctx: Context): string | null =>
    ipParam(ctx) === '0'
      ? null
      : deps.geo.country(
          clientIp(ctx.req.socket.remoteAddress, ctx.get('X-Forwarded-For') || undefined, trusted),
        );
  const renders = new Counter({
    name: 'offerd_banner_renders_total',
    help: 'Personalized banners served, by app and reason (MATCH, CONTROL, NO_MATCH, DEFAULT)',
    labelNames: ['app', 'reason'],
    registers: [deps.metrics.registry],
  });
  const tracked = new Counter({
    name: 'offerd_banner_tracked_events_total',
    help: 'Tracking events accepted by /track, by app',
    labelNames: ['app'],
    registers: [deps.metrics.registry],
  });
  const routeDeps = {
    service,
    keys: new ApiKeys(deps.config.apps),
    appIds: new Set(deps.config.apps.map((a) => a.id)),
    rules: deps.rules,
    now: deps.now,
    callerCountry,
    ...(deps.decisions ? { decisions: deps.decisions } : {}),
    observe: {
      render: (app: string, reason: RenderReason) => renders.inc({ app, reason }),
      tracked: (app: string, count: number) => tracked.inc({ app }, count),
    },
  };
  const offers = new SpecialOfferService(deps.store.banner, deps.store.profiles, {
    now: deps.now,
    newRenderId: randomUUID,
  });
  const addSdkRoutes = (track: ApiRouter) => sdkRoutes(track, { ...routeDeps, sdk, offers });
  return { name: 'banner', ...createBannerRoutes(routeDeps, deps.limits, addSdkRoutes) };
}
