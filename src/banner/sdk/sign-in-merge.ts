import { slotRivalsHeld } from '../domain/sign-in-rivals.js';
import type { BannerRules } from '../rules/banner-kind.js';
import type { BannerStore, ExperimentKey } from '../store/banner-store.js';

/**
 * What the banner store holds of a sign-in's new id, and its merge into the player it signs in
 * as (SdkService.link, `_kb_identify`: see SIGN_IN_WINDOW_MS).
 */
export class SignInMerge {
  constructor(private readonly store: BannerStore) {}

  /**
   * Whether all the banner holds of the user is what a just-signed-in device makes before its
   * queued `_kb_identify` arrives: no tracked event, first seen and assigned at or after
   * `since` (or never seen). SdkService.link merges such an id into the player it signs in as.
   */
  async onlySeenSince(appId: string, userId: string, since: Date): Promise<boolean> {
    const { user, assignments } = await this.store.visitor(appId, userId);
    const t = since.getTime();
    return (
      (user === null || (user.events === 0 && Date.parse(user.firstSeenAt) >= t)) &&
      assignments.every((a) => Date.parse(a.assignedAt) >= t)
    );
  }

  /**
   * The assignments of `from` (a sign-in's new id) in an experiment of `rules` that shares its
   * slot with one `into` (the player) is enrolled in: a merge drops them (slotRivalsHeld).
   */
  async slotRivalsHeld(
    appId: string,
    rules: BannerRules | null,
    from: string,
    into: string,
  ): Promise<ExperimentKey[]> {
    if (!rules) return [];
    const [incoming, held] = await Promise.all([
      this.store.assignments(appId, from),
      this.store.assignments(appId, into),
    ]);
    return incoming.length === 0 ? [] : slotRivalsHeld(rules.experiments, held, incoming);
  }

  /** BannerStore.adopt: the new id's render stats and assignments merged into the player's. */
  async adopt(appId: string, from: string, into: string, drop: readonly ExperimentKey[]): Promise<void> {
    await this.store.adopt?.(appId, from, into, drop);
  }
}
