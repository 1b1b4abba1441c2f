import { randomUUID } from 'node:crypto';
import type { Context } from 'koa';
import { Counter } from 'prom-client';
import { ApiKeys } from '../http/api-keys.js';
import { addressSet, clientIp } from '../http/client-ip.js';
import type { Feature, FeatureDeps } from '../http/feature.js';
import { createBannerRoutes } from './banner-routes.js';
import { BannerService, type RenderReason } from './banner-service.js';

/** The personal-offers API (Kibotu-compatible): personalized banners, sticky experiments, tracking. */
export function createBannerFeature(deps: FeatureDeps): Feature {
  const service = new BannerService(deps.store.banner, { now: deps.now, newRenderId: randomUUID });
  const trusted = addressSet(deps.config.http.trustedProxies);
  const callerCountry = (ctx: Context): string | null =>
    deps.geo.country(
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
    observe: {
      render: (app: string, reason: RenderReason) => renders.inc({ app, reason }),
      tracked: (app: string, count: number) => tracked.inc({ app }, count),
    },
  };
  return { name: 'banner', ...createBannerRoutes(routeDeps, deps.limits) };
}
