import type { Feature, FeatureDeps } from '../http/feature.js';

/** The public APIs this service serves, in mount order. */
export function createFeatures(_deps: FeatureDeps): Feature[] {
  return [];
}
