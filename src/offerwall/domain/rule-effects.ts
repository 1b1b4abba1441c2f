import { createHash } from 'node:crypto';
import type { CatalogOffer, Platform } from './offer.js';

/** Which offers a rule acts on: every listed field must match (one of its values); empty: all offers. */
export interface OfferSelector {
  offerTypes?: number[];
  categories?: string[];
  offerIds?: number[];
  platforms?: Platform[];
}

/** What a matched offerwall rule does, applied to the catalog in plain code after one rules run. */
export interface EffectSpec {
  ruleId: string;
  exclude?: OfferSelector;
  /** An allow-list: offers it does not select are dropped. Several allow-lists intersect. */
  allowOnly?: OfferSelector;
  /** Added to the score of the offers it selects (negative demotes). */
  boost?: OfferSelector & { by: number };
}

/**
 * An effect as the ranking takes it: with `key`, a SHA-256 of its content (128 bits,
 * base64url), written once when the rule is compiled. Ranking plans are memoized by the
 * matched effects' keys; serializing the effects per request instead was 15 % of an
 * offerwall request's CPU with the bench's 61 rules, and keys of the whole JSON made the
 * memo's lookups hash kilobytes per request (profiles, 2026-12-02).
 */
export interface RuleEffect extends EffectSpec {
  readonly key: string;
}

/** The effect as the rule file wrote it, for explanations (the key is the ranking's). */
export function specOf({ key: _key, ...spec }: RuleEffect): EffectSpec {
  return spec;
}

/** The effect with its key (see RuleEffect). */
export function ruleEffect(spec: EffectSpec): RuleEffect {
  const key = createHash('sha256').update(JSON.stringify(spec)).digest('base64url').slice(0, 22);
  return { ...spec, key };
}

export function selects(selector: OfferSelector, offer: CatalogOffer): boolean {
  return (
    (!selector.offerTypes || selector.offerTypes.includes(offer.offer_type)) &&
    (!selector.categories || selector.categories.includes(offer.category)) &&
    (!selector.offerIds || selector.offerIds.includes(offer.offer_id)) &&
    (!selector.platforms || (offer.platform !== null && selector.platforms.includes(offer.platform)))
  );
}

export type RuleVerdict =
  | { kept: true; boosts: { ruleId: string; by: number }[] }
  | { kept: false; reason: 'rule_exclude' | 'rule_allow_list'; ruleId: string };

/** Applies every matched rule's effect to one offer. */
export function applyEffects(effects: readonly EffectSpec[], offer: CatalogOffer): RuleVerdict {
  for (const e of effects) {
    if (e.exclude && selects(e.exclude, offer))
      return { kept: false, reason: 'rule_exclude', ruleId: e.ruleId };
    if (e.allowOnly && !selects(e.allowOnly, offer)) {
      return { kept: false, reason: 'rule_allow_list', ruleId: e.ruleId };
    }
  }
  const boosts = effects.flatMap((e) =>
    e.boost && selects(e.boost, offer) ? [{ ruleId: e.ruleId, by: e.boost.by }] : [],
  );
  return { kept: true, boosts };
}
