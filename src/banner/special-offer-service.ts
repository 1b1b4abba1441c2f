import type { Facts } from '../rules/engine/rule-set.js';
import type { BannerResponse } from './banner-render.js';
import type { Experiment } from './domain/banner-types.js';
import {
  discountPercent,
  fillOfferImage,
  NO_EXPERIMENT_VARIATION,
  type SpecialOffer,
} from './domain/special-offer.js';
import { userFacts } from './domain/user-activity.js';
import type { BannerRules } from './rules/banner-kind.js';
import type { BannerStore } from './store/banner-store.js';
import type { ProfileStore } from './store/profile-store.js';

/** A `getSpecialOffer` call, validated. */
export interface SpecialOfferRequest {
  trigger: string;
  featureName: string;
  /** Already resolved through aliases. */
  userId: string;
  predictId: string | null;
  countryIso2: string | null;
  languageIso2: string | null;
  /** get_feature's propOverrides: the `context` fact. */
  context: Record<string, unknown>;
}

/** The reply's `specialOffer`, as docs/special-offers.md documents it. */
export interface SpecialOfferReply {
  offerId: string;
  trigger: string;
  title: string;
  imageUrl: string;
  productId: string | null;
  price: number | null;
  originalPrice: number | null;
  currency: string | null;
  discountPercent: number | null;
  /** ISO 8601: the client should not show the offer after this. */
  expiresAt: string;
  /** Attach to tracked events (SpecialOfferPopupPurchased…) so they attribute back. */
  /** A banner's metadata (the same fields and meaning) plus the SDK's predict_id echoed back. */
  kibotuMetadata: BannerResponse['kibotuMetadata'] & { predictId: string | null };
}

export interface SpecialOfferDecision {
  offer: SpecialOfferReply | null;
  facts: Facts;
  /** Offers that matched but were held back by their cooldown or cap, in the order tried. */
  limited: string[];
  /**
   * The offer is the grant made earlier for this predict_id, replayed (not counted again,
   * its conditions not asked again): a retry of that call.
   */
  replayed: boolean;
}

/** The current bucket version's assignment of each experiment, as `{experimentId: variationId}`. */
async function assignmentFacts(
  store: BannerStore,
  experiments: readonly Experiment[],
  appId: string,
  userId: string,
): Promise<Record<string, number>> {
  const current = new Map(experiments.map((e) => [e.id, e.bucketVersion]));
  const stored = await store.assignments(appId, userId);
  return Object.fromEntries(
    stored
      .filter((a) => current.get(a.experimentId) === a.bucketVersion)
      .map((a) => [a.experimentId, a.variationId]),
  );
}

/**
 * Special offers on triggers: the app's `specialOffers` rules decide which offer a user
 * gets when the game reports a trigger (`level_up`, `low_balance`…). The first offer by
 * priority whose conditions hold and whose per-user cooldown and cap allow it is granted
 * (recorded atomically, with the call's predict_id) and returned. A call whose predict_id
 * already has a grant of one of the trigger's offers is a retry (or the getSpecialOffer
 * after a get_feature that decided with its propOverrides): that grant is replayed.
 */
export class SpecialOfferService {
  constructor(
    private readonly store: BannerStore,
    private readonly profiles: ProfileStore,
    private readonly options: { now: () => Date; newRenderId: () => string },
  ) {}

  async decide(
    appId: string,
    rules: BannerRules,
    request: SpecialOfferRequest,
  ): Promise<SpecialOfferDecision> {
    const now = this.options.now();
    const facts = await this.facts(appId, rules, request, now);
    const limited: string[] = [];
    if (!rules.specialOffers.triggers.has(request.trigger)) {
      return { offer: null, facts, limited, replayed: false };
    }
    facts.segments = await rules.specialOffers.segments.matchedIds(facts);
    const earlier = await this.replayable(appId, rules, request);
    if (earlier) {
      const offer = this.reply(rules, earlier.offer, request, facts, earlier.at);
      return { offer, facts, limited, replayed: true };
    }
    for (const offer of await rules.specialOffers.offers.matchedData(facts)) {
      const limits = {
        cooldownMs: offer.cooldownMinutes === null ? null : offer.cooldownMinutes * 60_000,
        maxPerUser: offer.maxPerUser,
      };
      // The original grant's time when a concurrent copy of this call granted it meanwhile.
      const at = await this.profiles.grant(appId, request.userId, offer.id, now, limits, request.predictId);
      if (at) {
        const offerReply = this.reply(rules, offer, request, facts, at);
        return { offer: offerReply, facts, limited, replayed: at.getTime() !== now.getTime() };
      }
      limited.push(offer.id);
    }
    return { offer: null, facts, limited, replayed: false };
  }

  /** The trigger's offer (still in the rules) last granted for the request's predict_id, if any. */
  private async replayable(
    appId: string,
    rules: BannerRules,
    request: SpecialOfferRequest,
  ): Promise<{ offer: SpecialOffer; at: Date } | null> {
    if (request.predictId === null) return null;
    const offers = rules.specialOffers.offers.data.filter((o) => o.trigger === request.trigger);
    const ids = offers.map((o) => o.id);
    const [made] = await this.profiles.grantsFor(appId, request.userId, ids, request.predictId);
    const offer = made && offers.find((o) => o.id === made.offerId);
    return made && offer ? { offer, at: made.at } : null;
  }

  private async facts(
    appId: string,
    rules: BannerRules,
    request: SpecialOfferRequest,
    now: Date,
  ): Promise<Facts> {
    const [user, properties, assignments] = await Promise.all([
      this.store.user(appId, request.userId),
      this.profiles.profile(appId, 'user', request.userId),
      assignmentFacts(this.store, rules.experiments, appId, request.userId),
    ]);
    const { context, ...fields } = request;
    return {
      request: fields,
      context,
      user: { ...userFacts(user, now), properties: properties ?? {} },
      assignments,
    };
  }

  private reply(
    rules: BannerRules,
    offer: SpecialOffer,
    request: SpecialOfferRequest,
    facts: Facts,
    /** When the offer was granted: it expires expiresInMinutes after. */
    grantedAt: Date,
  ): SpecialOfferReply {
    const assignments = facts.assignments as Record<string, number>;
    const experimentId = offer.experimentId ?? '';
    const variationId =
      offer.experimentId === null ? NO_EXPERIMENT_VARIATION : (assignments[experimentId] ?? 0);
    const imageUrl = fillOfferImage(offer.image, {
      offerId: offer.id,
      trigger: offer.trigger,
      productId: offer.productId ?? '',
      countryIso2: request.countryIso2 ?? rules.settings.unknownCountry,
      languageIso2: request.languageIso2 ?? rules.settings.fallbackLanguage,
      experimentId,
      variationId: String(variationId),
    });
    return {
      offerId: offer.id,
      trigger: offer.trigger,
      title: offer.title,
      imageUrl,
      productId: offer.productId,
      price: offer.price,
      originalPrice: offer.originalPrice,
      currency: offer.currency,
      discountPercent: discountPercent(offer.price, offer.originalPrice),
      expiresAt: new Date(grantedAt.getTime() + offer.expiresInMinutes * 60_000).toISOString(),
      kibotuMetadata: {
        userId: request.userId,
        offerId: offer.id,
        countryIso2: request.countryIso2,
        experimentId,
        variationId,
        renderId: this.options.newRenderId(),
        occasion: offer.trigger,
        predictId: request.predictId,
      },
    };
  }
}
