import type { Context } from 'koa';
import type { ApiKeys } from '../../http/api-keys.js';
import type { ApiRouter } from '../../http/api-router.js';
import { AppError, invalidInput } from '../../http/app-error.js';
import type { RefusedRecord } from '../../http/body-reader.js';
import type { RulesSource } from '../../http/feature.js';
import { setHeader } from '../../http/set-header.js';
import { type AppRules, rulesVersionHeader } from '../../rules/app-rules.js';
import { apiKeyFrom, authorizeBanner } from '../banner-auth.js';
import { valueProperties } from '../domain/event-value.js';
import type { SpecialOfferReply, SpecialOfferService } from '../special-offer-service.js';
import type { ProfileKind } from '../store/profile-store.js';
import { TrackBatchParser } from '../track-request.js';
import { ProfileBatchParser } from './engage-request.js';
import { FeatureRequestParser, SPECIAL_OFFER_PREFIX } from './feature-request.js';
import { parseSdkBatch, type RejectedRecord } from './sdk-events.js';
import { tokenOf } from './sdk-keys.js';
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

/**
 * Without an Authorization header the SDKs' key is the first record's token: the first
 * that has one (a record refused at the edge may have kept none), every record's checked
 * against its app after (foreignRecords).
 */
function peekToken(body: unknown): string | undefined {
  if (!Array.isArray(body)) return tokenOf(body);
  for (const record of body) {
    const token = tokenOf(record);
    if (token !== undefined) return token;
  }
  return undefined;
}

/** Records of the batch body the edge refused (BatchBodies in body-reader.ts). */
const refusedAtEdge = (ctx: Context): readonly RefusedRecord[] =>
  (ctx.state as { refusedRecords?: RefusedRecord[] }).refusedRecords ?? [];

function appOf(deps: SdkRoutesDeps, ctx: Context): string {
  const key = apiKeyFrom(ctx) ?? peekToken(bodyOf(ctx));
  return authorizeBanner(deps.keys, key).app.id;
}

/**
 * Without an Authorization header each record carries its key (the node SDK puts `token` in
 * every one): a record whose token is missing, unknown or another app's is refused alone,
 * as any invalid record. Before, only the first record's was read, and the rest were stored
 * in its app whatever they named (hostile-client probe).
 */
function foreignRecords(deps: SdkRoutesDeps, ctx: Context, appId: string): RejectedRecord[] {
  const body = bodyOf(ctx);
  if (apiKeyFrom(ctx) !== undefined || !Array.isArray(body)) return [];
  return body.flatMap((record: unknown, index): RejectedRecord[] => {
    const token = tokenOf(record);
    if (token === undefined)
      return [{ index, field: 'token', message: 'is required without an Authorization header' }];
    return bannerAppOf(deps.keys, token) === appId
      ? []
      : [{ index, field: 'token', message: "is not a banner key of the batch's app" }];
  });
}

/** The app a banner key authorizes, or null (unknown, revoked, another API's key). */
function bannerAppOf(keys: ApiKeys, token: string): string | null {
  try {
    return authorizeBanner(keys, token).app.id;
  } catch {
    return null;
  }
}

/**
 * `batch` without the records `refused` names, which join its rejected ones: one reason per
 * record, the first of `refused` (the edge's before the key's), before the route's own (a
 * record refused at the edge reached the route as its key alone, which it rejects too).
 */
function refuse<B extends { rejected: RejectedRecord[] }>(
  batch: B,
  refused: readonly RejectedRecord[],
  lists: readonly (keyof B)[],
): B {
  if (refused.length === 0) return batch;
  const out = { ...batch };
  const first = new Map<number, RejectedRecord>();
  for (const r of refused) if (!first.has(r.index)) first.set(r.index, r);
  for (const name of lists)
    (out[name] as { index: number }[]) = (batch[name] as { index: number }[]).filter(
      (x) => !first.has(x.index),
    );
  const own = batch.rejected.filter((r) => !first.has(r.index));
  out.rejected = [...own, ...first.values()].sort((a, b) => a.index - b.index);
  return out;
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
  // One request, even sent as a list of one: what the edge found is its answer, not the
  // `featureName is required` of the placeholder left in its place (hostile probe).
  const [refused] = refusedAtEdge(ctx);
  if (refused) throw invalidInput([{ field: refused.field, message: refused.message }]);
  const request = parser.parse(bodyOf(ctx));
  if (!request.featureName.startsWith(SPECIAL_OFFER_PREFIX)) {
    sdkReply(ctx, [], 1);
    return;
  }
  // The schema requires distinct_id of a special offer; this says so to the type checker.
  if (request.distinctId === null) throw invalidInput([{ field: 'distinct_id', message: 'is required' }]);
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
    const batch = refuse(
      parseSdkBatch(bodyOf(ctx), now, { parser, values }),
      [...refusedAtEdge(ctx), ...foreignRecords(deps, ctx, appId)],
      ['events', 'aliases'],
    );
    const outcome = await deps.sdk.track(appId, batch, now, rules.banner);
    deps.observe?.tracked(appId, outcome.stored);
    sdkReply(ctx, outcome.rejected, batch.size);
  };
  track.post(['/track', '/ab/track'], events(new TrackBatchParser()));
  track.post('/import', events(new TrackBatchParser(true)));

  const profileParser = new ProfileBatchParser();
  const profiles = (kind: ProfileKind) => async (ctx: Context) => {
    const appId = appOf(deps, ctx);
    // A profile update reads no rule, so none is required; the header still names the version live.
    const live = deps.rules.current(appId);
    if (live) setHeader(ctx, 'X-Rules-Version', rulesVersionHeader(live));
    const batch = refuse(
      profileParser.parse(bodyOf(ctx), kind),
      [...refusedAtEdge(ctx), ...foreignRecords(deps, ctx, appId)],
      ['updates'],
    );
    sdkReply(ctx, await deps.sdk.updateProfiles(appId, batch, deps.now()), batch.size);
  };
  track.post('/engage', profiles('user'));
  track.post('/groups', profiles('group'));
  const featureParser = new FeatureRequestParser();
  track.post('/feature', (ctx) => feature(deps, featureParser, ctx));
}
