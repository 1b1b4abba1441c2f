import type { AppConfig } from '../config/config-types.js';
import type { ApiCaseRunner, CaseInput, CaseOutcome } from '../fixtures/api-case-runner.js';
import { fixtureCount } from '../fixtures/fixture-events.js';
import { AppError } from '../http/app-error.js';
import type { AppRules } from '../rules/app-rules.js';
import { checkCaseProperties } from './case-state-properties.js';
import { type FeatureRequest, FeatureRequestParser } from './sdk/feature-request.js';
import { SpecialOfferService } from './special-offer-service.js';
import { BannerDocumentStore } from './store/banner-document-store.js';
import { ProfileDocumentStore } from './store/profile-document-store.js';

/**
 * A fixture's `state` for special offers: `properties` (the user's profile, as /engage
 * left it), `purchases` (tracked purchases before now), `grants` (`{offerId, at, predictId?}`:
 * offers already shown, each last for that predict_id — a request with it replays the grant)
 * and `assignments` (`{experimentId, variationId}`, current bucket version).
 */
interface SpecialOfferState {
  properties?: Record<string, unknown>;
  purchases?: number;
  grants?: { offerId: string; at: string; predictId?: string | number | null }[];
  assignments?: { experimentId: string; variationId: number }[];
}

const STATE_KEYS = new Set(['properties', 'purchases', 'grants', 'assignments']);
const DAY_MS = 86_400_000;

function readState(state: Record<string, unknown>): SpecialOfferState {
  const unknown = Object.keys(state).filter((k) => !STATE_KEYS.has(k));
  if (unknown.length > 0) throw new Error(`unknown special-offer state keys: ${unknown.join(', ')}`);
  checkCaseProperties(state.properties);
  fixtureCount(state.purchases ?? 0, 'state.purchases', 0);
  return state as SpecialOfferState;
}

/** As the request's predict_id reads it: a number is its text. */
const predictIdOf = (v: unknown): string | null =>
  typeof v === 'string' || typeof v === 'number' ? String(v) : null;

async function seed(
  rules: AppRules,
  stores: { banner: BannerDocumentStore; profiles: ProfileDocumentStore },
  userId: string,
  state: SpecialOfferState,
  now: Date,
): Promise<void> {
  const { appId } = rules;
  const earlier = new Date(now.getTime() - DAY_MS).toISOString();
  if (state.properties) {
    await stores.profiles.update(appId, [
      { kind: 'user', id: userId, operations: [{ op: '$set', values: state.properties }] },
    ]);
  }
  const purchase = { userId, name: 'SpecialOfferPopupPurchased', time: null, receivedAt: earlier };
  const link = { renderId: null, experimentId: null, variationId: null, value: null };
  const purchases = Array.from({ length: state.purchases ?? 0 }, () => ({ ...purchase, ...link }));
  if (purchases.length > 0) await stores.banner.track(appId, purchases);
  for (const g of state.grants ?? []) {
    const unlimited = { cooldownMs: null, maxPerUser: null };
    await stores.profiles.grant(
      appId,
      userId,
      g.offerId,
      new Date(g.at),
      unlimited,
      predictIdOf(g.predictId),
    );
  }
  for (const a of state.assignments ?? []) {
    const bucketVersion = rules.banner?.experiments.find((e) => e.id === a.experimentId)?.bucketVersion ?? 1;
    await stores.banner.assign(appId, { ...a, bucketVersion, userId, assignedAt: earlier });
  }
}

/**
 * Runs `api: special-offer` cases: the request is the /feature body (`featureName`,
 * `distinct_id`, `predict_id`, `propOverrides`). `actual` keys: status, offerId (null when
 * none), title, imageUrl, productId, price, discountPercent, expiresAt, experimentId,
 * variationId, renderId, limited (offers held back by cooldown or cap), replayed (the offer
 * is the state's grant for the request's predict_id).
 */
export class SpecialOfferCaseRunner implements ApiCaseRunner {
  readonly api = 'special-offer' as const;
  /** The reply's fields and its kibotuMetadata's (SpecialOfferReply), the refusal's, and the limits'. */
  readonly resultKeys = [
    'status',
    'errors',
    'offerId',
    'trigger',
    'title',
    'imageUrl',
    'productId',
    'price',
    'originalPrice',
    'currency',
    'discountPercent',
    'expiresAt',
    'userId',
    'countryIso2',
    'experimentId',
    'variationId',
    'renderId',
    'occasion',
    'predictId',
    'limited',
    'replayed',
  ] as const;
  readonly #requests = new FeatureRequestParser();

  async run(rules: AppRules, _app: AppConfig, input: CaseInput): Promise<CaseOutcome> {
    if (!rules.banner) throw new Error(`app '${rules.appId}' has no Banner rules`);
    const state = readState(input.state);
    const stores = {
      banner: await BannerDocumentStore.open(null),
      profiles: await ProfileDocumentStore.open(null),
    };
    let ids = 0;
    const service = new SpecialOfferService(stores.banner, stores.profiles, {
      now: () => input.now,
      newRenderId: () => `render-${++ids}`,
    });
    let request: FeatureRequest;
    try {
      request = this.#requests.parse(input.request);
      if (request.distinctId === null || request.trigger === null)
        throw new Error('needs distinct_id and a special_offer_on_<trigger> featureName');
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return {
        actual: { status: err.status, errors: err.fields.map((f) => f.field) },
        explanation: { errors: err.fields },
      };
    }
    await seed(rules, stores, request.distinctId, state, input.now);
    const decision = await service.decide(rules.appId, rules.banner, {
      trigger: request.trigger,
      featureName: request.featureName,
      userId: request.distinctId,
      predictId: request.predictId,
      countryIso2: request.countryIso2,
      languageIso2: request.languageIso2,
      context: request.context,
    });
    const offer = decision.offer;
    const { kibotuMetadata, ...fields } = offer ?? { kibotuMetadata: null };
    return {
      actual: {
        status: 200,
        offerId: null,
        ...fields,
        ...(kibotuMetadata ?? {}),
        limited: decision.limited,
        replayed: decision.replayed,
      },
      explanation: { facts: decision.facts, limited: decision.limited, replayed: decision.replayed },
    };
  }
}
