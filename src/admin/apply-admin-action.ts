import type { AppRules } from '../rules/app-rules.js';
import type { RulesRegistry } from '../rules/rules-registry.js';
import type { ReloadOutcome } from '../rules/rules-status.js';
import type { ApiAction, SharedAction } from '../store/admin-action-log.js';

/**
 * What applying an action here gave: a reload's outcomes, the rolled-back rules (undefined:
 * no such snapshot), nothing for a catalog sync (the instance that synced answers with its result).
 */
export type Applied<A extends SharedAction = SharedAction> = A extends { kind: 'reload' }
  ? ReloadOutcome[]
  : A extends { kind: 'rollback' }
    ? AppRules | undefined
    : undefined;

/** What the actions change on this instance: its rules, and the APIs' state. */
export interface ActionTargets {
  rules: RulesRegistry;
  apis(action: ApiAction): Promise<void>;
}

/** Applies an admin action to this instance. */
export async function applyAction(targets: ActionTargets, action: SharedAction): Promise<Applied> {
  if (action.kind === 'reload') return targets.rules.reload(action.appId ?? undefined, 'reload');
  if (action.kind === 'rollback')
    return targets.rules.rollback(action.appId, action.hash, action.files ?? undefined);
  await targets.apis(action);
  return undefined;
}

/**
 * Performs an admin action and answers with what it did here. A single instance applies it
 * at once; AdminActionFollower.perform stores it in the log first (shared with PostgreSQL).
 */
export type PerformAction = <A extends SharedAction>(action: A) => Promise<Applied<A>>;

export const performHere =
  (targets: ActionTargets): PerformAction =>
  <A extends SharedAction>(action: A) =>
    applyAction(targets, action) as Promise<Applied<A>>;
