import type { ApiRegistration } from '../api-registration.js';
import type { RuleFile } from '../rules/rule-file.js';
import { OfferwallCaseRunner } from './offerwall-case-runner.js';
import { OFFERWALL_FACTS } from './rules/offerwall-facts.js';
import { compileOfferwall, type OfferwallRules } from './rules/offerwall-kind.js';
import { type OfferwallSpec, offerwallSchema } from './rules/offerwall-schema.js';
import { OfferwallDocumentStore } from './store/offerwall-document-store.js';
import {
  OFFERWALL_BANS_UNIQUE_MIGRATION,
  OFFERWALL_MIGRATION,
  OFFERWALL_RETIRED_OFFERS_MIGRATION,
} from './store/offerwall-migration.js';
import { OfferwallPostgresPortable } from './store/offerwall-postgres-portable.js';
import { OfferwallPostgresStore } from './store/offerwall-postgres-store.js';
import type { OfferwallStore } from './store/offerwall-store.js';

// The offerwall's entries on the shared snapshot and store types (their layers name no API).
declare module '../rules/app-rules.js' {
  interface CompiledKinds {
    /** The Offerwall file compiled; null when the app has none (default ranking, no rules). */
    readonly offerwall: OfferwallRules | null;
  }
}
declare module '../store/store.js' {
  interface ApiStores {
    readonly offerwall: OfferwallStore;
  }
}
declare module '../store/document/document-store.js' {
  interface DocumentApiStores {
    readonly offerwall: OfferwallDocumentStore;
  }
}

/** The offerwall API (RevU-compatible) as the platform sees it. */
export const offerwallApi: ApiRegistration<'offerwall'> = {
  name: 'offerwall',
  ruleKind: {
    kind: 'Offerwall',
    key: 'offerwall',
    schema: offerwallSchema,
    facts: [OFFERWALL_FACTS],
    compile: (files, segments, ctx) => compileOfferwall(files as RuleFile<OfferwallSpec>[], segments, ctx),
  },
  stores: {
    name: 'offerwall',
    openDocument: async (dir) => {
      const store = await OfferwallDocumentStore.open(dir);
      return { store, portable: store, files: [store] };
    },
    migrations: [OFFERWALL_MIGRATION, OFFERWALL_BANS_UNIQUE_MIGRATION, OFFERWALL_RETIRED_OFFERS_MIGRATION],
    openPostgres: (pool) => ({
      store: new OfferwallPostgresStore(pool),
      portable: new OfferwallPostgresPortable(pool),
    }),
  },
  caseRunners: () => [new OfferwallCaseRunner()],
};
