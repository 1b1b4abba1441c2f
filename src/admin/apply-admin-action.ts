import type { AppRules } from '../rules/app-rules.js';
import type { RulesRegistry } from '../rules/rules-registry.js';
import type { ReloadOutcome } from '../rules/rules-status.js';
import type { SharedAction } from '../store/admin-action-log.js';

/** What applying an action here gave: a reload's outcomes, or the rolled-back rules (undefined: no such snapshot). */
export type Applied<A extends SharedAction = SharedAction> = A extends { kind: 'reload' }
  ? ReloadOutcome[]
  : AppRules | undefined;

/** Applies an admin action to this instance's rules. */
export async function applyAction(registry: RulesRegistry, action: SharedAction): Promise<Applied> {
  if (action.kind === 'reload') return registry.reload(action.appId ?? undefined, 'reload');
  return registry.rollback(action.appId, action.hash, action.files ?? undefined);
}

/**
 * Performs an admin action and answers with what it did here. A single instance applies it
 * at once; with PostgreSQL, AdminActionFollower.perform stores it in the shared log first.
 */
export type PerformAction = <A extends SharedAction>(action: A) => Promise<Applied<A>>;

export const performHere =
  (registry: RulesRegistry): PerformAction =>
  <A extends SharedAction>(action: A) =>
    applyAction(registry, action) as Promise<Applied<A>>;
