import { type DropReason, type Targeting, targetingVerdict } from './eligibility.js';
import type { CatalogOffer } from './offer.js';
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

/** Working arrays of one ranking, by catalog position. */
export interface Scratch {
  status: Uint8Array;
  rule: Int32Array;
  completed: Uint8Array;
  boost: Float64Array;
  score: Float64Array;
  kept: Int32Array;
}

/** Freshness per catalog position for one instant and half-life; `done` marks the computed ones. */
export interface FreshnessMemo {
  at: number;
  halfLife: number;
  done: Uint8Array;
  value: Float64Array;
}

/** Which offers one rule selector picks, by catalog position. */
export interface Selection {
  has: Uint8Array;
  selected: Int32Array;
  unselected: Int32Array;
}

/** Targeting verdicts memoized per distinct request targeting; a handful of countries and devices in practice. */
const TARGETING_MEMO_LIMIT = 1024;

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
  /** Per-request working arrays of rankOffers (synchronous, so one set per catalog is enough). */
  readonly scratch: Scratch;
  private readonly selections = new WeakMap<OfferSelector, Selection>();
  private readonly freshness: FreshnessMemo;
  private readonly targeting = new Map<string, Uint8Array>();

  constructor(readonly offers: readonly CatalogOffer[]) {
    const n = offers.length;
    this.position = new Map(offers.map((o, i) => [o.offer_id, i]));
    this.ids = Float64Array.from(offers, (o) => o.offer_id);
    this.epc = Float64Array.from(offers, (o) => o.epc);
    this.conversionRate = Float64Array.from(offers, (o) => o.conversion_rate);
    this.logReward = Float64Array.from(offers, (o) => Math.log1p(o.total_user_reward));
    this.logPayout = Float64Array.from(offers, (o) => Math.log1p(o.payout));
    this.categories = offers.map((o) => o.category);
    this.scratch = {
      status: new Uint8Array(n),
      rule: new Int32Array(n),
      completed: new Uint8Array(n),
      boost: new Float64Array(n),
      score: new Float64Array(n),
      kept: new Int32Array(n),
    };
    this.freshness = {
      at: Number.NaN,
      halfLife: Number.NaN,
      done: new Uint8Array(n),
      value: new Float64Array(n),
    };
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
   * Freshness values computed for `nowMs` and `halfLife` (the same instant gives the same
   * values: several requests a millisecond share them); emptied when either changes.
   */
  freshnessAt(nowMs: number, halfLife: number): FreshnessMemo {
    const memo = this.freshness;
    if (memo.at !== nowMs || memo.halfLife !== halfLife) {
      memo.at = nowMs;
      memo.halfLife = halfLife;
      memo.done.fill(0);
    }
    return memo;
  }

  /** Each offer's own targeting verdict for `t` as a code (0: eligible). Do not modify. */
  targetingCodes(t: Targeting): Uint8Array {
    const key = `${t.country}\n${t.device}\n${t.osVersion}\n${t.bidFloor}`;
    let codes = this.targeting.get(key);
    if (!codes) {
      codes = Uint8Array.from(this.offers, (o) => CODE[targetingVerdict(o, t) ?? 'kept']);
      if (this.targeting.size >= TARGETING_MEMO_LIMIT) this.targeting.clear();
      this.targeting.set(key, codes);
    }
    return codes;
  }
}
