import { type EndedVersions, endedVersions, leftVersions } from './domain/experiment-ends.js';
import type { BannerRules } from './rules/banner-kind.js';
import type { BannerStore } from './store/banner-store.js';

/**
 * Records in the store, once per rules snapshot, the end of every bucket version these rules
 * no longer run (endedVersions), and of every version the snapshot before them ran that they
 * do not (leftVersions), at the instant the snapshot went live (`activated`). The
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
  /** The versions the snapshot before each one ran and it does not (leftVersions). */
  readonly #left = new WeakMap<BannerRules, EndedVersions[]>();

  constructor(
    private readonly store: Pick<BannerStore, 'endVersions'>,
    private readonly now: () => Date,
  ) {}

  /**
   * `rules` went live at `at`, replacing `before`: their ends are recorded from now on, dated
   * `at`. Rules without a Banner kind (a rollback to a snapshot from before it existed: a
   * reload that deletes the kind is refused) serve no request that could await or retry the
   * record, so what `before` ran is ended at once, and a failed write stays failed.
   */
  activated(appId: string, rules: BannerRules | undefined, at: Date, before?: BannerRules): void {
    const left = leftVersions(before?.experiments ?? [], rules?.experiments ?? []);
    if (!rules) {
      this.store.endVersions(appId, left, at).catch(() => {});
      return;
    }
    this.#activatedAt.set(rules, at);
    this.#left.set(rules, left);
    // Started here so that it is under way before the first request; that request awaits it.
    this.record(appId, rules).catch(() => {});
  }

  record(appId: string, rules: BannerRules): Promise<void> {
    let recorded = this.#recorded.get(rules);
    if (!recorded) {
      const at = this.#activatedAt.get(rules) ?? this.now();
      const ended = [...endedVersions(rules.experiments), ...(this.#left.get(rules) ?? [])];
      recorded = this.store.endVersions(appId, ended, at);
      this.#recorded.set(rules, recorded);
      recorded.catch(() => this.#recorded.delete(rules));
    }
    return recorded;
  }
}
