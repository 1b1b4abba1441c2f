import type { Context } from 'koa';
import type { ApiKeys } from '../../http/api-keys.js';
import type { ApiRouter } from '../../http/api-router.js';
import { AppError, invalidInput } from '../../http/app-error.js';
import type { RulesSource } from '../../http/feature.js';
import { setHeader } from '../../http/set-header.js';
import { type AppRules, rulesVersionHeader } from '../../rules/app-rules.js';
import { apiKeyFrom, authorizeBanner } from '../banner-auth.js';
import { isPlainObject } from '../banner-request.js';
import { valueProperties } from '../domain/event-value.js';
import type { SpecialOfferReply, SpecialOfferService } from '../special-offer-service.js';
import type { ProfileKind } from '../store/profile-store.js';
import { TrackBatchParser } from '../track-request.js';
import { ProfileBatchParser } from './engage-request.js';
import { FeatureRequestParser, SPECIAL_OFFER_PREFIX } from './feature-request.js';
import { parseSdkBatch } from './sdk-events.js';
import { sdkReply } from './sdk-reply.js';
import type { SdkService } from './sdk-service.js';

export interface SdkRoutesDeps {
  sdk: SdkService;
  offers: SpecialOfferService;
  /** The caller's country by geo-IP; null with `?ip=0`. */
  callerCountry: (ctx: Context) => string | null;
  keys: ApiKeys;
  rules: RulesSource;
  now: () => Date;
  observe?: { tracked(appId: string, count: number): void };
}

const bodyOf = (ctx: Context): unknown => (ctx.request as { body?: unknown }).body;

/** Without an Authorization header the SDKs' key is the first record's `token` or `$token`. */
function peekToken(body: unknown): string | undefined {
  const first = Array.isArray(body) ? body[0] : body;
  if (!isPlainObject(first)) return undefined;
  const props = isPlainObject(first.properties) ? first.properties : {};
  const token = props.token ?? first.$token ?? first._kb_token;
  return typeof token === 'string' ? token : undefined;
}

function appOf(deps: SdkRoutesDeps, ctx: Context): string {
  const key = apiKeyFrom(ctx.get('Authorization')) ?? peekToken(bodyOf(ctx));
  return authorizeBanner(deps.keys, key).app.id;
}

/** Events are linked to the app's rules version, as the banner replies are. */
function requireRules(deps: SdkRoutesDeps, ctx: Context, appId: string): AppRules {
  const rules = deps.rules.current(appId);
  if (!rules) throw new AppError('RULES_NOT_READY', `no valid rules loaded for app '${appId}' yet`);
  setHeader(ctx, 'X-Rules-Version', rulesVersionHeader(rules));
  return rules;
}

/**
 * POST /feature. `special_offer_on_<trigger>` is decided by the special-offer rules. The
 * SDK's getSpecialOffer (no `propOverrides` key) parses the reply's `specialOffer`: it gets
 * `{"specialOffer": {...} | null, "status": 1, "error": null}`, which a verbose get_feature of
 * the same body also takes for a success. get_feature with `propOverrides` (the rules'
 * `context`) judges only `1` (verbose: `status` 1) a success and reads nothing else: its
 * decision is granted and answered so; the app then fetches that offer with getSpecialOffer
 * and the same predict_id, which replays the grant. offerd serves no other feature values,
 * so any other name gets the SDK's plain success (`1`).
 */
async function feature(deps: SdkRoutesDeps, parser: FeatureRequestParser, ctx: Context): Promise<void> {
  const appId = appOf(deps, ctx);
  const rules = requireRules(deps, ctx, appId);
  const request = parser.parse(bodyOf(ctx));
  if (!request.featureName.startsWith(SPECIAL_OFFER_PREFIX)) {
    sdkReply(ctx, [], 1);
    return;
  }
  // The schema requires distinct_id of a special offer; this says so to the type checker.
  if (request.distinctId === null) throw invalidInput([{ field: 'distinct_id', message: 'is required' }]);
  setHeader(ctx, 'Cache-Control', 'no-store');
  let offer: SpecialOfferReply | null = null;
  if (rules.banner && request.trigger !== null) {
    const decision = await deps.offers.decide(appId, rules.banner, {
      trigger: request.trigger,
      featureName: request.featureName,
      userId: await deps.sdk.resolve(appId, request.distinctId),
      predictId: request.predictId,
      countryIso2: request.countryIso2 ?? deps.callerCountry(ctx),
      languageIso2: request.languageIso2,
      context: request.context,
    });
    offer = decision.offer;
  }
  if (request.getFeature) sdkReply(ctx, [], 1);
  else ctx.body = { specialOffer: offer, status: 1, error: null };
}

/**
 * The Kibotu SDKs' own calls, answered in their `1`/`0` convention (the `track` API
 * family): /track (and /ab/track) and /import, event by event; /engage and /groups,
 * profile updates in either SDK's spelling; /feature, special offers.
 */
export function sdkRoutes(track: ApiRouter, deps: SdkRoutesDeps): void {
  const events = (parser: TrackBatchParser) => async (ctx: Context) => {
    const appId = appOf(deps, ctx);
    const rules = requireRules(deps, ctx, appId);
    // Versions these rules ended take no event from here on (BannerService.recordEnds):
    // recorded before the batch's receipt, so none of its events comes before the end.
    if (rules.banner) await deps.sdk.recordEnds(appId, rules.banner);
    const now = deps.now();
    const values = valueProperties(rules.banner?.experiments ?? []);
    const batch = parseSdkBatch(bodyOf(ctx), now, { parser, values });
    const outcome = await deps.sdk.track(appId, batch, now);
    deps.observe?.tracked(appId, outcome.stored);
    sdkReply(ctx, outcome.rejected, batch.size);
  };
  track.post(['/track', '/ab/track'], events(new TrackBatchParser()));
  track.post('/import', events(new TrackBatchParser(true)));

  const profileParser = new ProfileBatchParser();
  const profiles = (kind: ProfileKind) => async (ctx: Context) => {
    const appId = appOf(deps, ctx);
    const batch = profileParser.parse(bodyOf(ctx), kind);
    sdkReply(ctx, await deps.sdk.updateProfiles(appId, batch, deps.now()), batch.size);
  };
  track.post('/engage', profiles('user'));
  track.post('/groups', profiles('group'));
  const featureParser = new FeatureRequestParser();
  track.post('/feature', (ctx) => feature(deps, featureParser, ctx));
}
