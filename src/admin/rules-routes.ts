import type { ApiRouter } from '../http/api-router.js';
import { AppError, invalidInput } from '../http/app-error.js';
import { refuseBody, refuseQuery } from '../http/closed-inputs.js';
import { RequestSchemas } from '../http/request-schema.js';
import type { LastGoodKeeper } from '../rules/last-good-keeper.js';
import type { RulesRegistry } from '../rules/rules-registry.js';
import { liveHash, type ReloadOutcome } from '../rules/rules-status.js';
import {
  reloadQueryMessages,
  reloadQuerySchema,
  rollbackBodyMessages,
  rollbackBodySchema,
} from './admin-schemas.js';
import type { PerformAction } from './apply-admin-action.js';

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
export function rulesRoutes(
  router: ApiRouter,
  registry: RulesRegistry,
  instance: InstanceIdentity,
  /** Through the admin action log (AdminActionFollower.perform), so every instance applies it. */
  perform: PerformAction,
  /** The store's kept snapshots: what a rollback finds that this process never loaded; `list` answers without the store. */
  kept: Pick<LastGoodKeeper, 'find' | 'list' | 'settled' | 'isKept'>,
): void {
  const schemas = new RequestSchemas();
  const reloadQuery = schemas.compile<{ app?: string }>(reloadQuerySchema, { messages: reloadQueryMessages });
  const rollbackBody = schemas.compile<{ hash: string }>(rollbackBodySchema, {
    messages: rollbackBodyMessages,
  });
  router.get('/rules', (ctx) => {
    ctx.body = { instance, apps: registry.status().map((app) => ({ ...app, kept: kept.list(app.appId) })) };
  });
  router.post('/rules/reload', async (ctx) => {
    refuseBody(ctx);
    const query = reloadQuery.checkQuery(ctx.query);
    if (!query.ok) throw invalidInput(query.problems);
    const appId = query.value.app;
    if (appId && !registry.appIds().includes(appId))
      throw new AppError('APP_NOT_FOUND', `no rules for app '${appId}'`);
    // Stored for every instance before it is applied here: a refused store changes nothing.
    const outcomes = await perform({ kind: 'reload', appId: appId ?? null });
    // What the reload put live (or left serving, unpinned) is kept before the answer says so:
    // a kill -9 right after it must not restart on older kept rules.
    // A store that refuses the write (the database down) does not undo the reload: the
    // answer says the rules serve but are not kept, which the log alone used to say.
    await kept.settled();
    ctx.status = outcomes.some((o) => o.result === 'failed') ? 422 : 200;
    ctx.body = { outcomes: outcomes.map((o) => withKept(o, kept)) };
  });
  router.post('/rules/:appId/rollback', async (ctx) => {
    refuseQuery(ctx);
    const body = rollbackBody.check((ctx.request as { body?: unknown }).body);
    if (!body.ok) throw invalidInput(body.problems);
    const { hash } = body.value;
    const appId = ctx.params.appId ?? '';
    if (!registry.appIds().includes(appId))
      throw new AppError('APP_NOT_FOUND', `no rules for app '${appId}'`);
    const notFound = () =>
      new AppError(
        'SNAPSHOT_NOT_FOUND',
        `no snapshot ${hash} in the history of '${appId}' nor among its kept snapshots`,
      );
    // Its files go with it: an instance that never loaded this snapshot can serve it too.
    // Not in this process's history (it started after): the store's kept snapshots, so a
    // bad deploy can be rolled back to what served before it. Checked before it is stored
    // for every instance: kept files edited in the store were a 500 on each (focused probe).
    let files = registry.snapshotFiles(appId, hash);
    if (!files) {
      const stored = await kept.find(appId, hash);
      if (!stored) throw notFound();
      if (!registry.holdsHash(appId, hash, stored.files)) {
        throw new AppError(
          'SNAPSHOT_NOT_FOUND',
          `the kept snapshot ${hash} of '${appId}' is damaged: its files in the store no longer hash to it, so it is not served`,
        );
      }
      files = stored.files;
    }
    const before = registry.current(appId);
    const rules = await perform({ kind: 'rollback', appId, hash, files });
    if (!rules) throw notFound();
    // Rollbacks are not checked (an emergency must not be refused), but what one changes in
    // the experiments is said: it restarted a stopped experiment silently (account manager probe).
    const warnings = await registry.changeWarnings(before, rules);
    ctx.body = { appId: rules.appId, version: rules.version, hash: rules.hash, pinned: true, warnings };
  });
}

/** The outcome with `kept` when it put rules live that the store must keep (activated, or a rollback ended). */
function withKept(
  o: ReloadOutcome,
  kept: Pick<LastGoodKeeper, 'isKept'>,
): ReloadOutcome & { kept?: boolean } {
  const hash = liveHash(o);
  return hash === undefined ? o : { ...o, kept: kept.isKept(o.appId, hash) };
}
