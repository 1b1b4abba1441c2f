import { COUNTRY_TEXT, type FactCatalogue } from '../../rules/fact-catalogue.js';

/**
 * What banner rules (experiment eligibility, banner `when`, and the segments they use) can
 * read: banner-service.ts builds these facts, user-activity.ts the `user` ones.
 */
export const BANNER_FACTS: FactCatalogue = {
  api: 'banner',
  open: ['context', 'user.eventCounts', 'user.properties'],
  facts: [
    { name: 'request.userId', type: 'string', example: 'u-1' },
    { name: 'request.offerId', type: 'string', example: '8622' },
    { name: 'request.prizeKey', type: 'string', example: 'gems_500' },
    { name: 'request.prizeKeySource', type: "'request' | 'default'", example: 'default' },
    { name: 'request.prizeTypes', type: 'string[]', example: ['chest'] },
    { name: 'request.countryIso2', type: 'string | null', example: 'DE', text: COUNTRY_TEXT },
    { name: 'request.countrySource', type: "'request' | 'geoip' | 'unknown'", example: 'geoip' },
    { name: 'request.languageIso2', type: 'string | null', example: 'de' },
    { name: 'request.zipCode', type: 'string | null', example: '10115' },
    { name: 'request.occasion', type: 'string | null', example: 'level-up' },
    {
      name: 'context',
      type: 'object (the request body keys that are not request fields)',
      example: { level: 12 },
    },
    { name: 'user.known', type: 'boolean', example: true },
    { name: 'user.firstSeenAt', type: 'ISO date-time | null', example: '2026-11-01T10:00:00.000Z' },
    { name: 'user.daysSinceFirstSeen', type: 'number | null', example: 19 },
    { name: 'user.lastSeenAt', type: 'ISO date-time | null', example: '2026-11-19T10:00:00.000Z' },
    { name: 'user.daysSinceLastSeen', type: 'number | null', example: 1 },
    { name: 'user.renders', type: 'number', example: 40 },
    { name: 'user.events', type: 'number', example: 12 },
    { name: 'user.purchases', type: 'number', example: 1 },
    { name: 'user.lastEventAt', type: 'ISO date-time | null', example: '2026-11-19T10:00:00.000Z' },
    { name: 'user.daysSinceLastEvent', type: 'number | null', example: 1 },
    { name: 'user.lastPurchaseAt', type: 'ISO date-time | null', example: null },
    { name: 'user.daysSinceLastPurchase', type: 'number | null', example: null },
    { name: 'user.eventCounts', type: 'object: event name → count', example: { AppStart: 3 } },
    {
      name: 'user.properties',
      type: 'object: the profile properties the SDK set through /engage',
      example: { vip_level: 3 },
    },
    { name: 'segments', type: 'string[]', example: ['payer'] },
    {
      name: 'assignment.experimentId',
      type: "string ('' outside every experiment)",
      example: 'payer-upsell',
    },
    {
      name: 'assignment.variationId',
      type: 'number (0: control; -1 outside every experiment, as kibotuMetadata says)',
      example: 1,
    },
  ],
};
