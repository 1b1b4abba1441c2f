import { createBannerFeature } from './banner/banner-feature.js';
import type { Feature, FeatureDeps } from './http/feature.js';
import { createJourneysFeature } from './journeys/journeys-feature.js';
import { createOfferwallFeature } from './offerwall/offerwall-feature.js';

/** The public APIs this service serves, in mount order. */
export function createFeatures(deps: FeatureDeps): Feature[] {
  return [createBannerFeature(deps), createOfferwallFeature(deps), createJourneysFeature(deps)];
}
