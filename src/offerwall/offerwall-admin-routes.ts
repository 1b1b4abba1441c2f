import type { Context } from 'koa';
import type { ApiRouter } from '../http/api-router.js';
import { AppError } from '../http/app-error.js';
import { refuseBody } from '../http/closed-inputs.js';
import type { OfferCatalogs } from './offer-catalogs.js';
import { mapped } from './offerwall-http-errors.js';
import type { OfferwallParams } from './offerwall-params.js';
import type { OfferwallService } from './offerwall-service.js';

export interface AdminRouteDeps {
  service: OfferwallService;
  catalogs: OfferCatalogs;
  /** App id → its wall ids, for every app with walls. */
  appWalls: ReadonlyMap<string, readonly number[]>;
  isAddressRange: (value: string) => boolean;
  params: OfferwallParams;
}

function appOf(deps: AdminRouteDeps, ctx: Context): { appId: string; walls: readonly number[] } {
  const appId = ctx.params.appId ?? '';
  const walls = deps.appWalls.get(appId);
  if (!walls) throw new AppError('APP_NOT_FOUND', `app '${appId}' has no offer walls`);
  return { appId, walls };
}

async function sync(deps: AdminRouteDeps, ctx: Context): Promise<void> {
  const { appId } = appOf(deps, ctx);
  refuseBody(ctx);
  const wallId = deps.params.syncWall(ctx.query);
  const walls = deps.catalogs.feedWalls(appId, wallId);
  if (walls.length === 0) {
    throw new AppError('NO_FEED', `app '${appId}' has no wall${wallId ? ` ${wallId}` : ''} with a feed`);
  }
  const results = await Promise.all(walls.map((w) => deps.catalogs.sync(w)));
  // 502: the feed (upstream) failed; the last good catalog is still serving, as each result says.
  ctx.status = results.every((r) => r.ok) ? 200 : 502;
  ctx.body = { appId, results };
}

/** Admin: catalog status and sync, bans, on the admin router (paths under /admin; its token checked first). */
export function adminRoutes(router: ApiRouter, deps: AdminRouteDeps): void {
  router.post('/apps/:appId/catalog/sync', (ctx) => sync(deps, ctx));
  router.get('/apps/:appId/catalog', (ctx) => {
    const { appId } = appOf(deps, ctx);
    ctx.body = { appId, walls: deps.catalogs.status(appId) };
  });
  router.post('/apps/:appId/bans', async (ctx) => {
    const { appId, walls } = appOf(deps, ctx);
    const input = deps.params.ban((ctx.request as { body?: unknown }).body, walls, deps.isAddressRange);
    const { ban, created } = await deps.service.addBan(appId, input);
    // The same ban again is the stored one, 200 with its id: a retried or repeated add
    // stores no copy that lifting "the ban" would leave behind.
    ctx.status = created ? 201 : 200;
    ctx.body = ban;
  });
  router.get('/apps/:appId/bans', async (ctx) => {
    const { appId } = appOf(deps, ctx);
    ctx.body = { bans: await deps.service.listBans(appId) };
  });
  router.delete(
    '/apps/:appId/bans/:banId',
    mapped(async (ctx: Context) => {
      const { appId } = appOf(deps, ctx);
      await deps.service.removeBan(appId, ctx.params.banId ?? '');
      ctx.status = 204;
    }),
  );
}
