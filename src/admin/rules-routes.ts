import type { ApiRouter } from '../http/api-router.js';
import { AppError } from '../http/app-error.js';
import type { RulesRegistry } from '../rules/rules-registry.js';

/** Which process answered: with several instances, operators compare their rules versions by it. */
export interface InstanceIdentity {
  id: string;
  hostname: string;
  pid: number;
  startedAt: string;
}

/**
 * /admin/rules: which instance this is, what each app serves, its last error and
 * history; reload through the same path as the file watcher; rollback to a snapshot
 * from the history.
 */
export function rulesRoutes(router: ApiRouter, registry: RulesRegistry, instance: InstanceIdentity): void {
  router.get('/rules', (ctx) => {
    ctx.body = { instance, apps: registry.status() };
  });
  router.post('/rules/reload', async (ctx) => {
    const appId = typeof ctx.query.app === 'string' ? ctx.query.app : undefined;
    if (appId && !registry.appIds().includes(appId))
      throw new AppError('APP_NOT_FOUND', `no rules for app '${appId}'`);
    const outcomes = await registry.reload(appId, 'reload');
    ctx.status = outcomes.some((o) => o.result === 'failed') ? 422 : 200;
    ctx.body = { outcomes };
  });
  router.post('/rules/:appId/rollback', async (ctx) => {
    const body = (ctx.request as { body?: { hash?: unknown } }).body;
    const hash = body?.hash;
    if (typeof hash !== 'string') {
      throw new AppError('INVALID_INPUT', 'Invalid input', [{ field: 'hash', message: 'required string' }]);
    }
    const rules = await registry.rollback(ctx.params.appId ?? '', hash);
    if (!rules)
      throw new AppError('SNAPSHOT_NOT_FOUND', `no snapshot ${hash} in the history of '${ctx.params.appId}'`);
    ctx.body = { appId: rules.appId, version: rules.version, hash: rules.hash, pinned: true };
  });
}
