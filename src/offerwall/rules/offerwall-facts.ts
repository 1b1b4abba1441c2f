import { COUNTRY_TEXT, type FactCatalogue } from '../../rules/fact-catalogue.js';

/** What offerwall rules (and the segments they use) can read: offerwall-service.ts builds these facts. */
export const OFFERWALL_FACTS: FactCatalogue = {
  api: 'offerwall',
  open: ['user.categories'],
  facts: [
    { name: 'request.wallId', type: 'number', example: 1001 },
    { name: 'request.publisherId', type: 'number', example: 1 },
    { name: 'request.uid', type: 'string', example: 'u-1' },
    { name: 'request.ip', type: 'string | null', example: '8.8.8.8' },
    { name: 'request.countryIso2', type: 'string | null', example: 'US', text: COUNTRY_TEXT },
    { name: 'request.device', type: "'android' | 'ios' | 'desktop' | null", example: 'android' },
    { name: 'request.osVersion', type: 'string | null', example: '14' },
    { name: 'request.bidFloor', type: 'number | null', example: 100 },
    { name: 'request.experimentId', type: 'string | null', example: null },
    { name: 'request.hourUtc', type: 'number 0..23', example: 18 },
    { name: 'request.weekday', type: 'number 0..6 (0: Sunday)', example: 5 },
    { name: 'user.clicks', type: 'number', example: 4 },
    { name: 'user.started', type: 'number', example: 3 },
    { name: 'user.inProgress', type: 'number', example: 1 },
    { name: 'user.completions', type: 'number', example: 2 },
    { name: 'user.categories', type: 'object: category → affinity 0..1', example: { Games: 1 } },
    { name: 'segments', type: 'string[]', example: ['offerwall-us'] },
  ],
};
