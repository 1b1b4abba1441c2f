import { LRUCache } from 'lru-cache';
import { type DropReason, type Targeting, targetingVerdict } from './eligibility.js';
import type { CatalogOffer } from './offer.js';
import { freshnessFeature } from './ranking.js';
import { WorkPool } from './ranking-work.js';
import { type OfferSelector, selects } from './rule-effects.js';

/** Drop reasons as small codes in typed arrays; 0 = kept. */
export const DROP_REASONS: readonly (DropReason | null)[] = [
  null,
  'country',
  'platform',
  'os_version',
  'bid_floor',
  'cap',
  'completed',
  'rule_exclude',
  'rule_allow_list',
];
export const CODE = Object.fromEntries(DROP_REASONS.map((r, i) => [r ?? 'kept', i])) as Record<
  DropReason | 'kept',
  number
>;

/** Which offers one rule selector picks, by catalog position. */
export interface Selection {
  has: Uint8Array;
  selected: Int32Array;
  unselected: Int32Array;
}

/** Targeting verdicts memoized per distinct request targeting; a handful of countries and devices in practice. */
const TARGETING_MEMO_LIMIT = 1024;
/** Ranking plans per rules snapshot: one per distinct targeting and set of matched rules (~25 KB each). */
const PLAN_MEMO_LIMIT = 128;

/**
 * One catalog prepared once for ranking many requests: the per-offer numbers ranking
 * reads (log scales, creation times) in typed arrays, and memoized, for this catalog,
 * what does not depend on the user — each rule selector's offers and each request
 * targeting's verdicts. Building it is pure; its memos only ever cache pure results.
 */
export class CatalogIndex {
  readonly position: ReadonlyMap<number, number>;
  readonly ids: Float64Array;
  readonly epc: Float64Array;
  readonly conversionRate: Float64Array;
  readonly logReward: Float64Array;
  readonly logPayout: Float64Array;
  /** `Date.parse(created_at)`, NaN when unknown. */
  readonly createdMs: Float64Array;
  readonly categories: readonly string[];
  /** Each offer's category as a number: its index in `categoryNames`. */
  readonly categoryOf: Int32Array;
  /** The catalog's distinct categories. */
  readonly categoryNames: readonly string[];
  /** Each ranking's own working arrays, taken for the ranking and given back at its end. */
  readonly work: WorkPool;
  private readonly selections = new WeakMap<OfferSelector, Selection>();
  /** The freshness memo's instant and half-life, and its values (`done` marks the computed ones). */
  private freshnessNow = Number.NaN;
  private freshnessHalfLife = Number.NaN;
  private readonly freshnessDone: Uint8Array;
  private readonly freshnessValue: Float64Array;
  /** Plans per rules snapshot (its model object: a reload starts afresh), then by key. */
  private readonly plans = new WeakMap<object, LRUCache<string, object>>();
  private readonly targeting = new LRUCache<string, Uint8Array>({ max: TARGETING_MEMO_LIMIT });

  constructor(readonly offers: readonly CatalogOffer[]) {
    const n = offers.length;
    this.position = new Map(offers.map((o, i) => [o.offer_id, i]));
    this.ids = Float64Array.from(offers, (o) => o.offer_id);
    this.epc = Float64Array.from(offers, (o) => o.epc);
    this.conversionRate = Float64Array.from(offers, (o) => o.conversion_rate);
    this.logReward = Float64Array.from(offers, (o) => Math.log1p(o.total_user_reward));
    this.logPayout = Float64Array.from(offers, (o) => Math.log1p(o.payout));
    this.categories = offers.map((o) => o.category);
    this.categoryNames = [...new Set(this.categories)];
    const categoryNumber = new Map(this.categoryNames.map((c, k) => [c, k]));
    this.categoryOf = Int32Array.from(this.categories, (c) => categoryNumber.get(c) as number);
    this.work = new WorkPool(n, this.categoryNames.length);
    this.freshnessDone = new Uint8Array(n);
    this.freshnessValue = new Float64Array(n);
    this.createdMs = new Float64Array(n);
    offers.forEach((o, i) => {
      this.createdMs[i] = o.created_at === null ? Number.NaN : Date.parse(o.created_at);
    });
  }

  get size(): number {
    return this.offers.length;
  }

  /** The offers `selector` picks (selector objects belong to a frozen rules snapshot). */
  selection(selector: OfferSelector): Selection {
    let found = this.selections.get(selector);
    if (!found) {
      const has = Uint8Array.from(this.offers, (o) => (selects(selector, o) ? 1 : 0));
      const selected: number[] = [];
      const unselected: number[] = [];
      has.forEach((h, i) => {
        (h ? selected : unselected).push(i);
      });
      found = { has, selected: Int32Array.from(selected), unselected: Int32Array.from(unselected) };
      this.selections.set(selector, found);
    }
    return found;
  }

  /**
   * freshnessFeature of the offer at `i`, memoized for one instant and half-life at a time
   * (several requests a millisecond share them). Every lookup checks both, and no caller
   * holds the memo's arrays, so it can never give one instant's value for another.
   */
  freshness(i: number, nowMs: number, halfLife: number): number {
    if (this.freshnessNow !== nowMs || this.freshnessHalfLife !== halfLife) {
      this.freshnessNow = nowMs;
      this.freshnessHalfLife = halfLife;
      this.freshnessDone.fill(0);
    }
    if (this.freshnessDone[i] === 1) return this.freshnessValue[i] as number;
    const value = freshnessFeature(nowMs, this.createdMs[i] as number, halfLife);
    this.freshnessValue[i] = value;
    this.freshnessDone[i] = 1;
    return value;
  }

  /**
   * What `build` makes for (`owner`, `key`), built once (owner: a rules snapshot's object,
   * so a reload starts afresh). At most PLAN_MEMO_LIMIT per owner.
   */
  memo<T extends object>(owner: object, key: string, build: () => T): T {
    let plans = this.plans.get(owner);
    if (!plans) {
      plans = new LRUCache({ max: PLAN_MEMO_LIMIT });
      this.plans.set(owner, plans);
    }
    let plan = plans.get(key) as T | undefined;
    if (plan === undefined) {
      plan = build();
      plans.set(key, plan);
    }
    return plan;
  }

  /** The memo key of a request targeting. */
  static targetingKey(t: Targeting): string {
    return `${t.country}\n${t.device}\n${t.osVersion}\n${t.bidFloor}`;
  }

  /** Each offer's own targeting verdict for `t` as a code (0: eligible). Do not modify. */
  targetingCodes(t: Targeting): Uint8Array {
    const key = CatalogIndex.targetingKey(t);
    let codes = this.targeting.get(key);
    if (!codes) {
      codes = Uint8Array.from(this.offers, (o) => CODE[targetingVerdict(o, t) ?? 'kept']);
      this.targeting.set(key, codes);
    }
    return codes;
  }
}
