import { endedVersions } from './domain/experiment-ends.js';
import type { BannerRules } from './rules/banner-kind.js';
import type { BannerStore } from './store/banner-store.js';

/**
 * Records in the store, once per rules snapshot, the end of every bucket version these rules
 * no longer run (endedVersions): the first render, batch or results read under them is the
 * instant they served. Awaited before either, so no event tracked under rules that stopped a
 * version is credited to it. A failed write is retried with the next request. Owned by the
 * BannerService; keyed by the snapshot, which a reload replaces (and the WeakMap then drops).
 */
export class VersionEnds {
  readonly #recorded = new WeakMap<BannerRules, Promise<void>>();

  constructor(
    private readonly store: Pick<BannerStore, 'endVersions'>,
    private readonly now: () => Date,
  ) {}

  record(appId: string, rules: BannerRules): Promise<void> {
    let recorded = this.#recorded.get(rules);
    if (!recorded) {
      recorded = this.store.endVersions(appId, endedVersions(rules.experiments), this.now());
      this.#recorded.set(rules, recorded);
      recorded.catch(() => this.#recorded.delete(rules));
    }
    return recorded;
  }
}
