import { endedVersions } from './domain/experiment-ends.js';
import type { BannerRules } from './rules/banner-kind.js';
import type { BannerStore } from './store/banner-store.js';

/**
 * Records in the store, once per rules snapshot, the end of every bucket version these rules
 * no longer run (endedVersions), at the instant the snapshot went live (`activated`). The
 * first render, batch or results read under it awaits the record, so no event tracked under
 * rules that stopped a version is credited to it. Dated by the first such request instead,
 * a stop ended its experiment whenever someone next called: an account-manager check saw
 * four purchases made 26 s after the stop served credited to control, and in a quiet app
 * the gap is hours. A snapshot whose activation this instance was not told of (none in
 * serving; a test's own) is dated by its first request. A failed write is retried with
 * the next request, with the same instant. Owned by the BannerService; keyed by the
 * snapshot, which a reload replaces (and the WeakMaps then drop).
 */
export class VersionEnds {
  readonly #recorded = new WeakMap<BannerRules, Promise<void>>();
  readonly #activatedAt = new WeakMap<BannerRules, Date>();

  constructor(
    private readonly store: Pick<BannerStore, 'endVersions'>,
    private readonly now: () => Date,
  ) {}

  /** `rules` went live at `at`: their ends are recorded from now on, dated `at`. */
  activated(appId: string, rules: BannerRules, at: Date): void {
    this.#activatedAt.set(rules, at);
    // Started here so that it is under way before the first request; that request awaits it.
    this.record(appId, rules).catch(() => {});
  }

  record(appId: string, rules: BannerRules): Promise<void> {
    let recorded = this.#recorded.get(rules);
    if (!recorded) {
      const at = this.#activatedAt.get(rules) ?? this.now();
      recorded = this.store.endVersions(appId, endedVersions(rules.experiments), at);
      this.#recorded.set(rules, recorded);
      recorded.catch(() => this.#recorded.delete(rules));
    }
    return recorded;
  }
}
