import type { ApiRegistration } from '../api-registration.js';
import type { RuleFile } from '../rules/rule-file.js';
import { JourneysCaseRunner } from './journeys-case-runner.js';
import { JOURNEYS_FACTS } from './rules/journeys-facts.js';
import { compileJourneys } from './rules/journeys-kind.js';
import type { JourneysRules } from './rules/journeys-rules.js';
import { type JourneysSpec, journeysSchema } from './rules/journeys-schema.js';
import { JOURNEYS_CLIENT_ID_PER_USER_MIGRATION } from './store/journeys-client-id-per-user-migration.js';
import { JourneysDocumentStore } from './store/journeys-document-store.js';
import { JOURNEYS_EVENTS_VERSION_MIGRATION } from './store/journeys-events-version-migration.js';
import { JOURNEYS_MIGRATION } from './store/journeys-migration.js';
import { JOURNEYS_OFFERS_UNLOCKED_MIGRATION } from './store/journeys-offers-unlocked-migration.js';
import { JourneysPostgresPortable } from './store/journeys-postgres-portable.js';
import { JourneysPostgresStore } from './store/journeys-postgres-store.js';
import type { JourneysStore } from './store/journeys-store.js';

// The journeys' entries on the shared snapshot and store types (their layers name no API).
declare module '../rules/app-rules.js' {
  interface CompiledKinds {
    /** The user-journeys rules (kind Journeys); null when the app has none. */
    readonly journeys: JourneysRules | null;
  }
}
declare module '../store/store.js' {
  interface ApiStores {
    readonly journeys: JourneysStore;
  }
}
declare module '../store/document/document-store.js' {
  interface DocumentApiStores {
    readonly journeys: JourneysDocumentStore;
  }
}

/** The user journeys API (GamifyHost-compatible) as the platform sees it. */
export const journeysApi: ApiRegistration<'journeys'> = {
  name: 'journeys',
  ruleKind: {
    kind: 'Journeys',
    key: 'journeys',
    schema: journeysSchema,
    facts: [JOURNEYS_FACTS],
    compile: (files, segments, ctx) => compileJourneys(files as RuleFile<JourneysSpec>[], ctx, segments),
  },
  stores: {
    name: 'journeys',
    openDocument: async (dir) => {
      const store = await JourneysDocumentStore.open(dir);
      return { store, portable: store, files: [...store.files, store.eventLog] };
    },
    migrations: [
      JOURNEYS_MIGRATION,
      JOURNEYS_OFFERS_UNLOCKED_MIGRATION,
      JOURNEYS_CLIENT_ID_PER_USER_MIGRATION,
      JOURNEYS_EVENTS_VERSION_MIGRATION,
    ],
    openPostgres: (pool) => ({
      store: new JourneysPostgresStore(pool),
      portable: new JourneysPostgresPortable(pool),
    }),
  },
  caseRunners: () => [new JourneysCaseRunner()],
};
