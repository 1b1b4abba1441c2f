/**
 * What each rules version must answer: the offerwall decision of every version for
 * the reload check's users, computed by the service's own decision code (the same
 * loader, OfferwallService and ranking) over the seeded store and the scaled catalog.
 */

import { createAppLoader } from '../src/apis.js';
import { openGeoIp } from '../src/geo/geo-ip.js';
import { CatalogIndex } from '../src/offerwall/domain/catalog-index.js';
import type { CatalogOffer } from '../src/offerwall/domain/offer.js';
import type { Catalog } from '../src/offerwall/offer-catalogs.js';
import { OfferwallService, type WallInfo } from '../src/offerwall/offerwall-service.js';
import type { OfferwallStore } from '../src/offerwall/store/offerwall-store.js';
import { readAppFiles } from '../src/rules/app-loader.js';
import type { AppRules } from '../src/rules/app-rules.js';
import { APP, WALL } from './bench-env.js';
import type { ScaledRules } from './scale-rules.js';

/** One offer of a response as the check compares it: its id and the boost its rules gave it. */
export interface OfferMark {
  id: number;
  boost: number;
}

export const OFFERWALL_QUERY = { ip: '5.9.0.1', device: 'android' as const, limit: 20 };

const WALL_INFO: WallInfo = {
  appId: APP,
  wallId: WALL,
  publisherId: 1,
  secrets: { clickSecret: 'unused', postbackSecret: 'unused' },
};

export class ExpectedOffers {
  private readonly service: OfferwallService;
  private readonly cache = new Map<string, OfferMark[]>();

  private constructor(
    private readonly rules: Map<number, AppRules>,
    private readonly country: string | null,
    store: OfferwallStore,
    offers: readonly CatalogOffer[],
  ) {
    const catalog: Catalog = {
      wallId: WALL,
      source: 'file',
      syncedAt: null,
      offers,
      byId: new Map(offers.map((o) => [o.offer_id, o])),
      index: new CatalogIndex(offers),
      retired: new Map(),
    };
    this.service = new OfferwallService({
      store,
      catalogs: { current: () => catalog },
      ipInRange: () => false,
      now: () => new Date(),
      newId: () => 'unused',
    });
  }

  /** Loads the app's rules at every offerwall version, with the marker offer of each. */
  static async build(
    scaled: ScaledRules,
    rulesDir: string,
    versions: Map<number, number>,
    store: OfferwallStore,
    offers: readonly CatalogOffer[],
  ): Promise<ExpectedOffers> {
    const files = await readAppFiles(rulesDir, APP);
    const loader = createAppLoader();
    const rules = new Map<number, AppRules>();
    for (const [version, marker] of versions) {
      const text = scaled.offerwallText(version, marker);
      const atVersion = files.files.map((f) =>
        f.path.endsWith('offerwall.yaml') ? { path: f.path, text } : f,
      );
      const loaded = loader.load({ appId: APP, files: atVersion });
      if (!loaded.ok) throw new Error(`rules at offerwall version ${version} do not load`);
      rules.set(version, loaded.rules);
    }
    const geo = await openGeoIp(null);
    return new ExpectedOffers(rules, geo.country(OFFERWALL_QUERY.ip), store, offers);
  }

  /** The offers version `version` must answer `user` with (cached unless `fresh`: time moves freshness). */
  async of(version: number, user: string, fresh = false): Promise<OfferMark[] | null> {
    const rules = this.rules.get(version);
    if (!rules) return null;
    const key = `${version}\n${user}`;
    const cached = this.cache.get(key);
    if (cached && !fresh) return cached;
    const outcome = await this.service.personalized(
      {
        wall: WALL_INFO,
        uid: user,
        ip: OFFERWALL_QUERY.ip,
        callerIp: null,
        country: this.country,
        device: OFFERWALL_QUERY.device,
        osVersion: null,
        bidFloor: null,
        limit: OFFERWALL_QUERY.limit,
        sid3: 'bench',
        experimentId: null,
      },
      rules,
    );
    if ('ban' in outcome) throw new Error(`user ${user} is banned`);
    const marks = outcome.ranking.offers.map((r) => ({ id: r.offer.offer_id, boost: r.breakdown.boost }));
    this.cache.set(key, marks);
    return marks;
  }
}

/** The marks of a response body: ids in order, boost = score − sortmetric. */
export function marksOf(body: {
  offers?: { offer_id: number; score: number; sortmetric: number }[];
}): OfferMark[] {
  return (body.offers ?? []).map((o) => ({ id: o.offer_id, boost: o.score - o.sortmetric }));
}

export function sameMarks(a: readonly OfferMark[], b: readonly OfferMark[]): boolean {
  return (
    a.length === b.length &&
    a.every((m, i) => m.id === b[i]?.id && Math.abs(m.boost - (b[i]?.boost ?? Number.NaN)) < 2e-6)
  );
}
