import type { ApiRegistration } from '../api-registration.js';
import type { RuleFile } from '../rules/rule-file.js';
import type { ApiStoreAdapters } from '../store/api-store-adapters.js';
import { BannerCaseRunner } from './banner-case-runner.js';
import { BANNER_FACTS } from './rules/banner-facts.js';
import { type BannerRules, compileBanner } from './rules/banner-kind.js';
import { lintBannerRules } from './rules/banner-lints.js';
import { type BannerSpec, bannerFileSchema } from './rules/banner-schema.js';
import { SPECIAL_OFFER_FACTS } from './rules/special-offer-facts.js';
import { SpecialOfferCaseRunner } from './special-offer-case-runner.js';
import { BannerDocumentStore } from './store/banner-document-store.js';
import { BANNER_MIGRATIONS } from './store/banner-migrations.js';
import { BannerPostgresPortable } from './store/banner-postgres-portable.js';
import { RenderTally } from './store/banner-postgres-renders.js';
import { BannerPostgresStore } from './store/banner-postgres-store.js';
import type { BannerStore } from './store/banner-store.js';
import { INSERT_ID_PRUNE_INTERVAL_MS, InsertIdPruner } from './store/insert-id-pruner.js';
import { ProfileDocumentStore } from './store/profile-document-store.js';
import { ProfilePostgresPortable } from './store/profile-postgres-portable.js';
import { ProfilePostgresStore } from './store/profile-postgres-store.js';
import type { ProfileStore } from './store/profile-store.js';

// The banner's entries on the shared snapshot and store types (their layers name no API).
declare module '../rules/app-rules.js' {
  interface CompiledKinds {
    /** The personal-offers API (kind: Banner); null when the app has no Banner file. */
    readonly banner: BannerRules | null;
  }
}
declare module '../store/store.js' {
  interface ApiStores {
    readonly banner: BannerStore;
    /** The Kibotu SDK's profiles, aliases, insert ids and special-offer grants. */
    readonly profiles: ProfileStore;
  }
}
declare module '../store/document/document-store.js' {
  interface DocumentApiStores {
    readonly banner: BannerDocumentStore;
    readonly profiles: ProfileDocumentStore;
  }
}

const profileStores: ApiStoreAdapters<'profiles'> = {
  name: 'profiles',
  openDocument: async (dir) => {
    const store = await ProfileDocumentStore.open(dir);
    return { store, portable: store, files: [store] };
  },
  // Its tables are created by the banner's migrations 102 and 104.
  migrations: [],
  openPostgres: (pool, hooks) => {
    const store = new ProfilePostgresStore(pool);
    const pruner = new InsertIdPruner(store, {
      intervalMs: INSERT_ID_PRUNE_INTERVAL_MS,
      now: () => new Date(),
      onError: hooks.onError,
    });
    return { store, portable: new ProfilePostgresPortable(pool), background: [pruner] };
  },
};

/** How often each instance writes its banner render counters on PostgreSQL (docs/postgresql.md). */
const RENDER_FLUSH_MS = 1000;

/** The personal banners API (Kibotu-compatible) as the platform sees it. */
export const bannerApi: ApiRegistration<'banner'> = {
  name: 'banner',
  ruleKind: {
    kind: 'Banner',
    key: 'banner',
    schema: bannerFileSchema,
    facts: [BANNER_FACTS, SPECIAL_OFFER_FACTS],
    compile: (files, segments, ctx) => compileBanner(files as RuleFile<BannerSpec>[], segments, ctx),
    lint: (rules, segments) => lintBannerRules(rules, segments),
  },
  stores: {
    name: 'banner',
    openDocument: async (dir) => {
      const store = await BannerDocumentStore.open(dir);
      return { store, portable: store, files: [store] };
    },
    migrations: BANNER_MIGRATIONS,
    openPostgres: (pool, hooks) => {
      const renders = new RenderTally(pool, RENDER_FLUSH_MS, (err) =>
        hooks.onError(new Error(`writing the banner render counters failed (kept, retried): ${err.message}`)),
      );
      return {
        store: new BannerPostgresStore(pool, renders),
        portable: new BannerPostgresPortable(pool),
        background: [renders],
      };
    },
  },
  moreStores: [profileStores],
  caseRunners: () => [new BannerCaseRunner(), new SpecialOfferCaseRunner()],
};
