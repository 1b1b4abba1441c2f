import { bannerFileSchema } from '../../banner/rules/banner-schema.js';
import { journeysSchema } from '../../journeys/rules/journeys-schema.js';
import { offerwallSchema } from '../../offerwall/rules/offerwall-schema.js';
import { segmentsSchema } from '../schemas/segments.js';

/**
 * Every rule kind and its JSON Schema. A file's `kind` picks the schema; a kind
 * that is not here is reported, with the list of known kinds.
 */
export const RULE_KIND_SCHEMAS: Readonly<Record<string, object>> = {
  Segments: segmentsSchema,
  Banner: bannerFileSchema,
  Offerwall: offerwallSchema,
  Journeys: journeysSchema,
};
