import type { FactCatalogue } from '../../rules/fact-catalogue.js';
import { BANNER_FACTS } from './banner-facts.js';

/**
 * What `specialOffers` conditions (and the segments they use) can read: special-offer-service.ts
 * builds these facts from the /feature call, the stored user, its /engage properties and its
 * experiment assignments. The `user` facts are the banner API's own (user-activity.ts), so
 * they are taken from its catalogue rather than written twice.
 */
export const SPECIAL_OFFER_FACTS: FactCatalogue = {
  api: 'special-offer',
  // Experiment ids, propOverrides keys, event names and /engage properties are the app's own.
  open: ['context', 'user.eventCounts', 'user.properties', 'assignments'],
  facts: [
    { name: 'request.trigger', type: 'string', example: 'level_up' },
    { name: 'request.featureName', type: 'string', example: 'special_offer_on_level_up' },
    { name: 'request.userId', type: 'string', example: 'u-1' },
    { name: 'request.predictId', type: 'string | null', example: null },
    { name: 'request.countryIso2', type: 'string | null', example: 'DE' },
    { name: 'request.languageIso2', type: 'string | null', example: 'de' },
    {
      name: 'context',
      type: "object (get_feature's propOverrides)",
      example: { level: 12 },
    },
    ...BANNER_FACTS.facts.filter((f) => f.name.startsWith('user.') || f.name === 'segments'),
    {
      name: 'assignments',
      type: 'object: experiment id → variation id (current bucket version)',
      example: { 'payer-upsell': 1 },
    },
  ],
};
