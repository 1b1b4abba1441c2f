import type { BannerStore } from '../banner/store/banner-store.js';
import type { ProfileStore } from '../banner/store/profile-store.js';
import type { StoreKind } from '../config/config-types.js';
import type { JourneysStore } from '../journeys/store/journeys-store.js';
import type { OfferwallStore } from '../offerwall/store/offerwall-store.js';
import type { PortableStore } from './portable.js';

/**
 * The store port: what offerd keeps between requests, shaped by the three APIs.
 * Each feature owns one narrow sub-port (banner, offerwall, journeys); an adapter
 * (memory, lowdb, PostgreSQL) implements all of them with identical behaviour,
 * checked by one contract suite per sub-port.
 */
export interface Store {
  readonly kind: StoreKind;
  readonly banner: BannerStore;
  /** The Kibotu SDK's profiles, aliases, insert ids and special-offer grants (banner API). */
  readonly profiles: ProfileStore;
  readonly offerwall: OfferwallStore;
  readonly journeys: JourneysStore;
  /** Every record of each sub-store, in and out, adapter-neutral (`offerd store copy`). */
  readonly portable: Readonly<Record<'banner' | 'offerwall' | 'journeys', PortableStore>>;
  /** Waits until every acknowledged write is durable (graceful shutdown). */
  flush(): Promise<void>;
  close(): Promise<void>;
}
