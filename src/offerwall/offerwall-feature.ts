import { randomUUID } from 'node:crypto';
import type { BlockList } from 'node:net';
import type { Context } from 'koa';
import type { AppConfig } from '../config/config-types.js';
import { addressSet, clientIp, inSet } from '../http/client-ip.js';
import type { Feature, FeatureDeps } from '../http/feature.js';
import { FeedClient } from './catalog-feed.js';
import { OfferPageValidator } from './catalog-schema.js';
import { OfferCatalogs, type WallRef } from './offer-catalogs.js';
import { createOfferwallRoutes } from './offerwall-routes.js';
import { OfferwallService, type WallInfo } from './offerwall-service.js';
import { PersonalizedJson } from './personalized-json.js';

/** Walls of active apps that have offerwall secrets, by wall id (ids are unique across apps). */
export function wallDirectory(apps: readonly AppConfig[]): Map<number, WallInfo> {
  const walls = new Map<number, WallInfo>();
  for (const app of apps) {
    if (app.status !== 'active' || !app.offerwall) continue;
    for (const w of app.walls) {
      walls.set(w.id, { appId: app.id, wallId: w.id, publisherId: w.publisherId, secrets: app.offerwall });
    }
  }
  return walls;
}

/** CIDR matching with each range parsed once. */
function rangeMatcher(): { inRange(range: string, ip: string): boolean; isRange(value: string): boolean } {
  const cache = new Map<string, BlockList | null>();
  const setOf = (range: string) => {
    if (!cache.has(range)) {
      try {
        cache.set(range, addressSet([range]));
      } catch {
        cache.set(range, null);
      }
    }
    return cache.get(range) ?? null;
  };
  return {
    inRange: (range, ip) => {
      const set = setOf(range);
      return set !== null && inSet(set, ip);
    },
    isRange: (value) => /^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(value) && setOf(value) !== null,
  };
}

/** The offerwall API (RevU-compatible): personalized ranked offers, clicks, postbacks, bans, catalogs. */
export function createOfferwallFeature(deps: FeatureDeps): Feature {
  const walls = wallDirectory(deps.config.apps);
  const refs: WallRef[] = deps.config.apps.flatMap((app) =>
    app.walls.filter((w) => walls.has(w.id)).map((wall) => ({ appId: app.id, wall })),
  );
  const validator = new OfferPageValidator();
  const catalogs = new OfferCatalogs({
    walls: refs,
    store: deps.store.offerwall,
    feed: new FeedClient({ validator }),
    validator,
    logger: deps.logger,
    registry: deps.metrics.registry,
    now: deps.now,
    share: (appId, wallId) => deps.share({ kind: 'catalog', appId, wallId }),
  });
  const ranges = rangeMatcher();
  const service = new OfferwallService({
    store: deps.store.offerwall,
    catalogs,
    ipInRange: ranges.inRange,
    now: deps.now,
    newId: () => `ban_${randomUUID()}`,
    legacyLinksUntil: deps.config.offerwall.legacyLinksUntil,
  });
  const proxies = addressSet(deps.config.http.trustedProxies);
  const callerIp = (ctx: Context) =>
    clientIp(ctx.req.socket.remoteAddress, ctx.get('X-Forwarded-For') || undefined, proxies) || null;
  const appWalls = new Map<string, number[]>();
  for (const w of walls.values()) appWalls.set(w.appId, [...(appWalls.get(w.appId) ?? []), w.wallId]);

  const routes = createOfferwallRoutes(
    {
      service,
      walls,
      rules: deps.rules,
      geo: deps.geo,
      callerIp,
      baseUrl: deps.baseUrl,
      clickLinkTtlMs: deps.config.offerwall.clickLinkTtlMs,
      now: deps.now,
      json: new PersonalizedJson(),
      catalogs,
      appWalls,
      isAddressRange: ranges.isRange,
      ...(deps.decisions ? { decisions: deps.decisions } : {}),
    },
    deps.limits,
  );
  return {
    name: 'offerwall',
    ...routes,
    async start() {
      await catalogs.load();
      catalogs.start();
    },
    stop: () => catalogs.stop(),
    follow: (action) => catalogs.follow(action.appId, action.wallId),
  };
}
