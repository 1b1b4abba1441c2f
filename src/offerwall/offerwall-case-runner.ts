import { isIP } from 'node:net';
import type { AppConfig, WallConfig } from '../config/config-types.js';
import type { ApiCaseRunner, CaseInput, CaseOutcome } from '../fixtures/api-case-runner.js';
import { importSnapshot } from '../fixtures/user-snapshot.js';
import { type GeoIp, openGeoIp } from '../geo/geo-ip.js';
import { AppError } from '../http/app-error.js';
import { addressSet, inSet } from '../http/client-ip.js';
import type { AppRules } from '../rules/app-rules.js';
import { readCatalogFile } from './catalog-file.js';
import { OfferPageValidator } from './catalog-schema.js';
import type { Ban } from './domain/bans.js';
import { CatalogIndex } from './domain/catalog-index.js';
import { osVersionFromUserAgent, platformFromUserAgent } from './domain/device.js';
import { type CatalogOffer, finalEventId } from './domain/offer.js';
import { whyNot } from './domain/why-not.js';
import type { Catalog } from './offer-catalogs.js';
import { bannedBefore, describe } from './offerwall-case-outcome.js';
import { offerwallHttpError } from './offerwall-http-errors.js';
import { OfferwallParams } from './offerwall-params.js';
import { OfferwallService, type WallInfo } from './offerwall-service.js';
import { offerwallSnapshot } from './offerwall-snapshot.js';
import { personalizedOrBan } from './personalized-or-ban.js';
import { OfferwallDocumentStore } from './store/offerwall-document-store.js';
import type { OfferwallStore, StoredCatalog } from './store/offerwall-store.js';

/** A fixture's stored state for the offerwall. */
interface OfferwallState {
  progress?: { offerId: number; status: 'in_progress' | 'completed'; completedEvents?: string[] }[];
  bans?: { type: 'user' | 'ip'; value: string; wallId?: number; reason?: string }[];
  /** Offers in the Get Offers shape replacing the wall's catalog file for this case. */
  catalog?: unknown[];
}

/** A wall as requests see it, its offers for a case, and a service on the case's seeded store. */
interface Decider {
  wall: WallInfo;
  offers: CatalogOffer[];
  service: OfferwallService;
}

const FIXTURE_SECRETS = { clickSecret: 'fixture-click-secret', postbackSecret: 'fixture-postback-secret' };

function toQuery(request: Record<string, unknown>): Record<string, string> {
  const q: Record<string, string> = {};
  for (const [k, v] of Object.entries(request)) {
    if (k !== 'uid' && k !== 'userAgent' && v !== undefined && v !== null) q[k] = String(v);
  }
  return q;
}

/**
 * Runs offerwall fixture cases through the server's own validation and OfferwallService
 * on a fresh memory store seeded from `state` (progress through recordClick/recordEvent,
 * bans through addBan), with the case's clock. `actual` keys: status, error, reason,
 * segments, matchedRules, country, device, total, limit, offerIds, topOfferId,
 * topOffers (id, name, epc, userReward, payout of each shown offer), topCategory, offerTypes, categories, platforms, minUserReward, inProgress,
 * userCompleted, dropped (count per reason).
 */
export class OfferwallCaseRunner implements ApiCaseRunner {
  readonly api = 'offerwall' as const;
  readonly resultKeys = [
    'status',
    'error',
    'reason',
    'segments',
    'matchedRules',
    'country',
    'device',
    'total',
    'limit',
    'offerIds',
    'topOfferId',
    'topOffers',
    'topCategory',
    'offerTypes',
    'categories',
    'platforms',
    'minUserReward',
    'inProgress',
    'userCompleted',
    'dropped',
  ] as const;
  readonly snapshot = offerwallSnapshot;
  readonly #params = new OfferwallParams();
  private geo: Promise<GeoIp> | null = null;
  private readonly catalogs = new Map<string, Promise<CatalogOffer[]>>();
  private readonly validator = new OfferPageValidator();

  constructor(geo?: GeoIp) {
    if (geo) this.geo = Promise.resolve(geo);
  }

  async run(rules: AppRules, app: AppConfig, input: CaseInput): Promise<CaseOutcome> {
    const request = input.request;
    const uid = String(request.uid ?? 'fixture-user');
    // The wall's service, seeded once per case: the ban check and the decision share it.
    let decided: { wallId: number; decider: Promise<Decider> } | undefined;
    const decide = (config: WallConfig) => {
      if (decided?.wallId !== config.id)
        decided = { wallId: config.id, decider: this.decider(app, config, input) };
      return decided.decider;
    };
    try {
      // The live route's order: a ban answers before the request's other bad parameters.
      const checked = await personalizedOrBan(this.#params, uid, toQuery(request), async (subject) => {
        const config = app.walls.find((w) => w.id === subject.wall);
        if (!config) return undefined;
        const { wall, service } = await decide(config);
        return service.blockingBan(wall, subject.uid, [subject.ip ?? null]);
      });
      if ('ban' in checked) return bannedBefore(checked.ban, checked.invalid);
      const q = checked.query;
      const wallConfig = app.walls.find((w) => w.id === q.wall);
      if (!wallConfig) throw new AppError('WALL_NOT_FOUND', `wall ${q.wall} not found`);
      const { wall, offers, service } = await decide(wallConfig);
      const ua = typeof request.userAgent === 'string' ? request.userAgent : undefined;
      const country = q.ip ? (await this.geoIp()).country(q.ip) : null;
      const device = q.device ?? platformFromUserAgent(ua);
      const targeting = {
        country,
        device,
        osVersion: q.osVersion ?? (q.device ? null : osVersionFromUserAgent(ua)),
        bidFloor: q.bidFloor,
      };
      const outcome = await service.personalized(
        {
          wall,
          uid,
          ip: q.ip,
          callerIp: null,
          ...targeting,
          limit: q.numoffers,
          sid3: q.sid3,
          experimentId: q.experimentId,
        },
        rules,
      );
      return await describe(outcome, { country, device, numoffers: q.numoffers }, (dropped, traces) =>
        whyNot(dropped, new Map(offers.map((o) => [o.offer_id, o])), targeting, traces),
      );
    } catch (thrown) {
      const err = offerwallHttpError(thrown);
      if (!(err instanceof AppError)) throw err;
      return {
        actual: { status: err.status, error: err.code, reason: err.code, segments: [], matchedRules: [] },
        explanation: { error: { code: err.code, message: err.message, fields: err.fields } },
      };
    }
  }

  /** The wall as requests see it, its offers for this case, and a service on the case's seeded store. */
  private async decider(app: AppConfig, config: WallConfig, input: CaseInput): Promise<Decider> {
    const wall: WallInfo = {
      appId: app.id,
      wallId: config.id,
      publisherId: config.publisherId,
      secrets: app.offerwall ?? FIXTURE_SECRETS,
    };
    const offers = await this.offersFor(config, input);
    return { wall, offers, service: await this.service(wall, offers, input) };
  }

  private geoIp(): Promise<GeoIp> {
    this.geo ??= openGeoIp(null);
    return this.geo;
  }

  /** The case's catalog, else a real user's synced copy of the wall's feed (as served), else the wall's file. */
  private async offersFor(wall: WallConfig, input: CaseInput): Promise<CatalogOffer[]> {
    const state = input.state as OfferwallState;
    const synced = input.snapshot?.records['offerwall.catalogs']?.[0] as StoredCatalog | undefined;
    if (input.snapshot && synced) return synced.offers;
    if (!input.snapshot && state.catalog) {
      const page = {
        status: 'success',
        publisher_id: wall.publisherId,
        wall_id: wall.id,
        total: 0,
        offset: 0,
      };
      const checked = this.validator.check({ ...page, limit: state.catalog.length, offers: state.catalog });
      if (!checked.ok) throw new Error(`state.catalog: ${checked.problems.join('; ')}`);
      return checked.page.offers;
    }
    if (!wall.catalog) throw new Error(`wall ${wall.id} has no catalog file: give the case state.catalog`);
    let loaded = this.catalogs.get(wall.catalog);
    if (!loaded) {
      loaded = readCatalogFile(wall.catalog, wall.id, this.validator);
      this.catalogs.set(wall.catalog, loaded);
    }
    return loaded;
  }

  private async service(wall: WallInfo, offers: CatalogOffer[], input: CaseInput): Promise<OfferwallService> {
    const store = await OfferwallDocumentStore.open(null);
    const catalog: Catalog = {
      wallId: wall.wallId,
      source: 'file',
      syncedAt: null,
      offers,
      byId: new Map(offers.map((o) => [o.offer_id, o])),
      index: new CatalogIndex(offers),
      retired: new Map(),
    };
    if (input.snapshot) await importSnapshot(store, input.snapshot);
    else await seed(store, wall, catalog, input);
    let ids = 0;
    return new OfferwallService({
      store,
      catalogs: { current: (id) => (id === wall.wallId ? catalog : undefined) },
      ipInRange: (range, ip) => isIP(ip) !== 0 && inSet(addressSet([range]), ip),
      now: () => input.now,
      newId: () => `ban-${++ids}`,
      explain: true,
    });
  }
}

async function seed(
  store: OfferwallStore,
  wall: WallInfo,
  catalog: Catalog,
  input: CaseInput,
): Promise<void> {
  const state = input.state as OfferwallState;
  const at = input.now.toISOString();
  const uid = String(input.request.uid ?? 'fixture-user');
  let tx = 0;
  for (const p of state.progress ?? []) {
    const offer = catalog.byId.get(p.offerId);
    if (!offer) throw new Error(`state.progress: offer ${p.offerId} is not in wall ${wall.wallId}`);
    const ref = {
      appId: wall.appId,
      wallId: wall.wallId,
      uid,
      offerId: offer.offer_id,
      category: offer.category,
    };
    await store.recordClick({ ...ref, offerType: offer.offer_type, sid3: null, at });
    const events = p.status === 'completed' ? [finalEventId(offer) ?? 'base'] : (p.completedEvents ?? []);
    for (const eventId of events) {
      const final = eventId === finalEventId(offer);
      const transactionId = `fixture-${++tx}`;
      await store.recordEvent({ ...ref, offerType: offer.offer_type, eventId, transactionId, final, at });
    }
  }
  for (const [i, b] of (state.bans ?? []).entries()) {
    const ban: Ban = {
      id: `fixture-ban-${i + 1}`,
      appId: wall.appId,
      type: b.type,
      value: b.value,
      wallId: b.wallId ?? null,
      reason: b.reason ?? 'fixture',
      createdAt: at,
    };
    await store.addBan(ban);
  }
}
