import { Cron } from 'croner';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { WallConfig } from '../config/config-types.js';
import { ConfigError } from '../config/load-config.js';
import type { FeedClient } from './catalog-feed.js';
import { readCatalogFile } from './catalog-file.js';
import type { OfferPageValidator } from './catalog-schema.js';
import { CatalogIndex } from './domain/catalog-index.js';
import type { CatalogOffer } from './domain/offer.js';
import { type RetiredOffer, retireAfterSync } from './domain/retired-offers.js';
import type { OfferwallStore } from './store/offerwall-store.js';

/** A wall's offers as served right now; replaced whole by a successful sync, never patched. */
export interface Catalog {
  readonly wallId: number;
  readonly source: 'file' | 'feed';
  readonly syncedAt: string | null;
  readonly offers: readonly CatalogOffer[];
  readonly byId: ReadonlyMap<number, CatalogOffer>;
  /** `offers` prepared for ranking, built with the catalog: a sync replaces both together. */
  readonly index: CatalogIndex;
  /** Offers syncs took out, by id: postbacks only (RetiredOffer). */
  readonly retired: ReadonlyMap<number, RetiredOffer>;
}

export interface SyncResult {
  wallId: number;
  ok: boolean;
  /** Offers now served (the last good catalog's count when the sync failed). */
  offers: number;
  source: 'file' | 'feed';
  syncedAt: string | null;
  error: string | null;
  ms: number;
}

export interface WallRef {
  appId: string;
  wall: WallConfig;
}

interface WallState {
  ref: WallRef;
  catalog: Catalog;
  lastSync: { at: string; ok: boolean; error: string | null } | null;
  running: Promise<SyncResult> | null;
  cron: Cron | null;
}

export interface CatalogDeps {
  walls: WallRef[];
  store: OfferwallStore;
  feed: FeedClient;
  validator: OfferPageValidator;
  logger: Logger;
  registry: Registry;
  now: () => Date;
  /**
   * Tells every instance that the wall's catalog was synced and stored (the admin action
   * log): each one, this one included, serves the stored catalog then (`follow`).
   */
  share(appId: string, wallId: number): Promise<void>;
}

function toCatalog(
  wallId: number,
  source: Catalog['source'],
  syncedAt: string | null,
  offers: CatalogOffer[],
  retired: readonly RetiredOffer[] = [],
): Catalog {
  const frozen = Object.freeze(offers.map((o) => Object.freeze(o)));
  return Object.freeze({
    wallId,
    source,
    syncedAt,
    offers: frozen,
    byId: new Map(frozen.map((o) => [o.offer_id, o])),
    index: new CatalogIndex(frozen),
    retired: new Map(retired.map((r) => [r.offer.offer_id, Object.freeze(r)])),
  });
}

/**
 * Every wall's catalog: loaded at start from the last synced copy in the store (walls
 * with a feed) or the shipped file, then refreshed from the feed on its schedule and
 * on demand. A failed sync keeps the last good catalog serving, logs, counts it in
 * `offerd_offerwall_catalog_syncs_total{result="failure"}` and says why in the answer.
 */
export class OfferCatalogs {
  private readonly walls = new Map<number, WallState>();
  private readonly syncs: Counter<'app' | 'wall' | 'result'>;
  private readonly size: Gauge<'app' | 'wall'>;
  private readonly lastSuccess: Gauge<'app' | 'wall'>;
  /** The start's load, awaited by `follow`: a sync announced while it read the store is not lost. */
  private loading: Promise<void> | null = null;

  constructor(private readonly deps: CatalogDeps) {
    const registers = [deps.registry];
    this.syncs = new Counter({
      name: 'offerd_offerwall_catalog_syncs_total',
      help: 'Offerwall feed syncs by app, wall and result (success, failure)',
      labelNames: ['app', 'wall', 'result'],
      registers,
    });
    this.size = new Gauge({
      name: 'offerd_offerwall_catalog_offers',
      help: 'Offers in the catalog each wall serves',
      labelNames: ['app', 'wall'],
      registers,
    });
    this.lastSuccess = new Gauge({
      name: 'offerd_offerwall_catalog_last_success_timestamp_seconds',
      help: 'When each wall last synced successfully from its feed',
      labelNames: ['app', 'wall'],
      registers,
    });
  }

  /** Loads every wall's starting catalog; a shipped file that is broken stops start-up. */
  load(): Promise<void> {
    this.loading = this.loadWalls();
    return this.loading;
  }

  private async loadWalls(): Promise<void> {
    for (const ref of this.deps.walls) {
      const catalog = await this.initial(ref);
      this.walls.set(ref.wall.id, { ref, catalog, lastSync: null, running: null, cron: null });
      this.size.set({ app: ref.appId, wall: String(ref.wall.id) }, catalog.offers.length);
    }
  }

  private async initial({ appId, wall }: WallRef): Promise<Catalog> {
    if (wall.feed) {
      const stored = await this.deps.store.getCatalog(appId, wall.id);
      if (stored) return toCatalog(wall.id, 'feed', stored.syncedAt, stored.offers, stored.retired);
    }
    const offers = wall.catalog
      ? await readCatalogFile(wall.catalog, wall.id, this.deps.validator).catch((err: Error) => {
          // The config names the file: a configuration problem, said as one (exit 2, no stack).
          throw new ConfigError(
            `app '${appId}' wall ${wall.id} catalog: ${err.message} (a relative walls[].catalog path is relative to the config file)`,
          );
        })
      : [];
    return toCatalog(wall.id, 'file', null, offers);
  }

  current(wallId: number): Catalog | undefined {
    return this.walls.get(wallId)?.catalog;
  }

  /** Walls of `appId` that have a feed (all of them, or just `wallId`). */
  feedWalls(appId: string, wallId?: number): number[] {
    return [...this.walls.values()]
      .filter(
        (s) => s.ref.appId === appId && s.ref.wall.feed && (wallId === undefined || s.ref.wall.id === wallId),
      )
      .map((s) => s.ref.wall.id);
  }

  /** Syncs one wall; a sync already running for it is joined, not doubled. */
  sync(wallId: number): Promise<SyncResult> {
    const state = this.walls.get(wallId);
    if (!state?.ref.wall.feed) return Promise.reject(new Error(`wall ${wallId} has no feed`));
    state.running ??= this.runSync(state).finally(() => {
      state.running = null;
    });
    return state.running;
  }

  private async runSync(state: WallState): Promise<SyncResult> {
    const { appId, wall } = state.ref;
    const labels = { app: appId, wall: String(wall.id) };
    const started = performance.now();
    const at = this.deps.now().toISOString();
    const result = (ok: boolean, error: string | null): SyncResult => {
      state.lastSync = { at, ok, error };
      this.syncs.inc({ ...labels, result: ok ? 'success' : 'failure' });
      const c = state.catalog;
      const ms = Math.round(performance.now() - started);
      return {
        wallId: wall.id,
        ok,
        offers: c.offers.length,
        source: c.source,
        syncedAt: c.syncedAt,
        error,
        ms,
      };
    };
    try {
      const offers = await this.deps.feed.fetchCatalog(wall.feed as NonNullable<WallConfig['feed']>, wall.id);
      const was = state.catalog;
      const retired = retireAfterSync(was.offers, [...was.retired.values()], offers, at);
      // Saved before it serves, so a restart never goes back to an older catalog than one already served.
      await this.deps.store.saveCatalog({ appId, wallId: wall.id, syncedAt: at, offers, retired });
      state.catalog = toCatalog(wall.id, 'feed', at, offers, retired);
      this.size.set(labels, offers.length);
      this.lastSuccess.set(labels, Date.parse(at) / 1000);
      this.deps.logger.info(
        { appId, wallId: wall.id, offers: offers.length, retired: retired.length },
        'offerwall catalog synced',
      );
      return result(true, await this.shared(appId, wall.id));
    } catch (err) {
      const error = (err as Error).message;
      this.deps.logger.error(
        { appId, wallId: wall.id, error, serving: state.catalog.offers.length },
        'offerwall catalog sync failed; the last good catalog keeps serving',
      );
      return result(false, error);
    }
  }

  /** Null once every instance was told; else why not (the sync itself stands: stored, serving here). */
  private async shared(appId: string, wallId: number): Promise<string | null> {
    try {
      await this.deps.share(appId, wallId);
      return null;
    } catch (err) {
      const error = `synced and serving here, but the other instances were not told: ${(err as Error).message}`;
      this.deps.logger.error({ appId, wallId, error }, 'offerwall catalog sync not shared');
      return error;
    }
  }

  /**
   * Serves the wall's catalog as stored, when it is not the one serving: an instance (this
   * one or another) synced it. Without it, a sync reached only the instance that was called,
   * and a click link or postback for a new offer got 404 on the others until their own
   * schedule ran. A wall without a feed here keeps its file; one announced during the start's
   * load is read again once the load is done.
   */
  async follow(appId: string, wallId: number): Promise<void> {
    await this.loading?.catch(() => undefined);
    const state = this.walls.get(wallId);
    if (!state?.ref.wall.feed || state.ref.appId !== appId) return;
    const stored = await this.deps.store.getCatalog(appId, wallId);
    if (!stored || (state.catalog.source === 'feed' && stored.syncedAt === state.catalog.syncedAt)) return;
    state.catalog = toCatalog(wallId, 'feed', stored.syncedAt, stored.offers, stored.retired);
    const labels = { app: appId, wall: String(wallId) };
    this.size.set(labels, stored.offers.length);
    this.lastSuccess.set(labels, Date.parse(stored.syncedAt) / 1000);
  }

  status(appId: string) {
    return [...this.walls.values()]
      .filter((s) => s.ref.appId === appId)
      .map((s) => ({
        wallId: s.ref.wall.id,
        source: s.catalog.source,
        offers: s.catalog.offers.length,
        syncedAt: s.catalog.syncedAt,
        feed: s.ref.wall.feed ? { url: s.ref.wall.feed.url, schedule: s.ref.wall.feed.schedule } : null,
        lastSync: s.lastSync,
      }));
  }

  /** Starts each feed's cron schedule; a run still going when the next is due is skipped. */
  start(): void {
    for (const state of this.walls.values()) {
      const schedule = state.ref.wall.feed?.schedule;
      if (!schedule) continue;
      state.cron = new Cron(schedule, { protect: true }, async () => {
        await this.sync(state.ref.wall.id);
      });
    }
  }

  async stop(): Promise<void> {
    for (const state of this.walls.values()) state.cron?.stop();
    await Promise.all([...this.walls.values()].map((s) => s.running?.catch(() => undefined)));
  }
}
