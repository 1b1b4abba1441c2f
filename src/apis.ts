import type { ApiName, ApiRegistration } from './api-registration.js';
import { bannerApi } from './banner/banner-api.js';
import { metricChangeWarnings } from './banner/rules/metric-change.js';
import { versionEndWarnings } from './banner/rules/version-end-warnings.js';
import { type AssignedUsers, weightChangeWarnings } from './banner/rules/weight-change.js';
import type { ApiCaseRunner, FixtureApi } from './fixtures/api-case-runner.js';
import { journeysApi } from './journeys/journeys-api.js';
import { offerwallApi } from './offerwall/offerwall-api.js';
import { AppLoader } from './rules/app-loader.js';
import type { AppRules } from './rules/app-rules.js';
import type { Problem } from './rules/problems.js';
import type { AnyRuleKind } from './rules/rule-kind.js';
import type { AnyApiStoreAdapters } from './store/api-store-adapters.js';
import { DocumentStore } from './store/document/document-store.js';
import { openStore as openAnyStore } from './store/open-store.js';
import { PostgresStore } from './store/postgres/postgres-store.js';
import type { Store } from './store/store.js';

/**
 * The wiring of the APIs into the shared layers (rules, store, fixtures), which name no
 * API: like main.ts and src/cli, this module may import every API. One entry per API name,
 * checked by the type: an API added to the snapshot or the store must be registered here.
 */
const REGISTRATIONS: { readonly [K in ApiName]: ApiRegistration<K> } = {
  banner: bannerApi,
  offerwall: offerwallApi,
  journeys: journeysApi,
};

/** In mount order: banner, offerwall, journeys (also the order of `store copy`'s collections). */
const APIS = [REGISTRATIONS.banner, REGISTRATIONS.offerwall, REGISTRATIONS.journeys] as const;

export const RULE_KINDS: readonly AnyRuleKind[] = APIS.map((api): AnyRuleKind => api.ruleKind);
export const STORE_ADAPTERS: readonly AnyApiStoreAdapters[] = APIS.flatMap((api): AnyApiStoreAdapters[] => [
  api.stores,
  ...(api.moreStores ?? []),
]);

/** The rules loader knowing every API's rule kind. */
export function createAppLoader(): AppLoader {
  return new AppLoader(RULE_KINDS);
}

/** The embedded store with every API's part under `dir` (null: in memory). */
export function openDocumentStore(dir: string | null): Promise<DocumentStore> {
  return DocumentStore.open(dir, STORE_ADAPTERS);
}

/** The PostgreSQL store with every API's part, migrated. */
export function openPostgresStore(
  url: string,
  options?: Parameters<typeof PostgresStore.open>[2],
): Promise<PostgresStore> {
  return PostgresStore.open(url, STORE_ADAPTERS, options);
}

/** The adapter named by the config, with every API's part. */
export function openStore(
  config: Parameters<typeof openAnyStore>[0],
  options?: Parameters<typeof openAnyStore>[2],
): Promise<Store> {
  return openAnyStore(config, STORE_ADAPTERS, options);
}

/** Every API's fixture runner, keyed by the `api:` a case names. */
export function createCaseRunners(): Map<FixtureApi, ApiCaseRunner> {
  return new Map(APIS.flatMap((api) => api.caseRunners()).map((runner) => [runner.api, runner]));
}

/**
 * What a reload changes that its author should know, against the serving snapshot
 * (RulesRegistryOptions.changeWarnings, and a rollback's answer): a bucket version ended by
 * leaving the rules (removed, or rolled back below), an ended one running again (a stop, a bump
 * or a removal undone), a running experiment's new weights, or a new metric deciding its verdict,
 * while it has assigned users. `store` is read at each reload (the registry is made before the store opens).
 */
export function createChangeWarnings(store: () => Store) {
  const assigned: AssignedUsers = async (appId, experimentId, bucketVersion) => {
    const tallies = await store().banner.tallies(appId, experimentId, bucketVersion);
    return tallies.reduce((n, t) => n + t.users, 0);
  };
  const weights = weightChangeWarnings(assigned);
  const metrics = metricChangeWarnings(assigned);
  const ends = versionEndWarnings((appId, id, version) => store().banner.versionEnd(appId, id, version));
  return async (before: AppRules | undefined, after: AppRules): Promise<Problem[]> => [
    ...(await ends(before, after)),
    ...(await weights(before, after)),
    ...(await metrics(before, after)),
  ];
}
