import type { Feature, FeatureDeps } from '../http/feature.js';
import { createJourneysFeature } from './journeys/journeys-feature.js';

/** The public APIs this service serves, in mount order. */
export function createFeatures(deps: FeatureDeps): Feature[] {
  return [createJourneysFeature(deps)];
}
