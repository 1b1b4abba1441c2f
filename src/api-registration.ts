import type { ApiCaseRunner } from './fixtures/api-case-runner.js';
import type { CompiledKinds } from './rules/app-rules.js';
import type { RuleKind } from './rules/rule-kind.js';
import type { AnyApiStoreAdapters, ApiStoreAdapters } from './store/api-store-adapters.js';
import type { DocumentApiStores } from './store/document/document-store.js';
import type { ApiStores } from './store/store.js';

/** The name an API goes by on the snapshot (`rules.banner`) and the store (`store.banner`). */
export type ApiName = keyof CompiledKinds & keyof ApiStores & keyof DocumentApiStores;

/**
 * What one API hands to the shared layers, which name no API themselves: its rule kind
 * (schema + compile), its store adapters (+ migrations) and its fixture runner. Its
 * router is built by its feature (create-features.ts). src/apis.ts lists them.
 */
export interface ApiRegistration<K extends ApiName> {
  readonly name: K;
  readonly ruleKind: RuleKind<K>;
  readonly stores: ApiStoreAdapters<K>;
  /** Further sub-ports the API owns beside `store.<name>` (the banner's SDK profiles). */
  readonly moreStores?: readonly AnyApiStoreAdapters[];
  /** Its fixture runners, one per `api:` a case may name. */
  caseRunners(): ApiCaseRunner[];
}
